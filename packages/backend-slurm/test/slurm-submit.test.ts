import { CommandError, DaskqError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSlurmBackend } from "../src/slurm-descriptor.js";
import { parseSbatchOutput } from "../src/slurm-submit.js";
import { FakeRunner, scriptRequest } from "./helpers.js";

const SCRIPT = "#!/usr/bin/env bash\n\n#SBATCH -J dask-worker\n\necho hi\n";

function setup(options?: Record<string, unknown>) {
  const runner = new FakeRunner();
  const backend = createSlurmBackend({ runner, logger: silentLogger, options, clusterId: "daskq-test" });
  return { runner, backend };
}

describe("sbatch output", () => {
  it("reads the id from --parsable output, with or without a cluster", () => {
    expect(parseSbatchOutput("123\n")).toEqual({ jobId: "123", cluster: undefined });
    expect(parseSbatchOutput("123;cluster\n")).toEqual({ jobId: "123", cluster: "cluster" });
    expect(parseSbatchOutput("\n 77 \n")).toEqual({ jobId: "77", cluster: undefined });
  });

  it("finds no id in anything else", () => {
    for (const out of ["", "Submitted batch job 123", "abc", "12a", "123;", ";cluster", "-5"]) {
      expect(parseSbatchOutput(out)).toBeUndefined();
    }
  });
});

describe("submit", () => {
  it("writes the script to a private temp dir through the runner and runs sbatch --parsable on it", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "123\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["123"]);
    const [path, file] = [...runner.files.entries()][0] ?? [];
    expect(path).toMatch(/^\/fake\/tmp\/daskq-slurm-1\/job-1\.sh$/);
    expect(file?.content).toBe(SCRIPT);
    expect(runner.calls.filter((c) => c.command !== "mkdir")).toEqual([{ command: "sbatch", args: ["--parsable", path] }]);
    expect(runner.events).toEqual(["mktemp", `write ${path}`, "run mkdir", "run sbatch"]);
  });

  it("reuses the temp dir and numbers the scripts", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "1" }, { stdout: "2" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    expect([...runner.files.keys()]).toEqual(["/fake/tmp/daskq-slurm-1/job-1.sh", "/fake/tmp/daskq-slurm-1/job-2.sh"]);
    expect(runner.events.filter((e) => e === "mktemp")).toHaveLength(1);
  });

  it("drops the cluster name from 123;cluster", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "123;cluster\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["123"]);
  });

  it("submits several jobs as one array and returns the task ids in index order", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "123\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 4 }))).toEqual(["123_0", "123_1", "123_2", "123_3"]);
    expect(runner.callsOf("sbatch")[0]?.args.slice(0, 2)).toEqual(["--parsable", "--array=0-3"]);
  });

  it("limits running tasks with %limit, from the request or from array-max-running", async () => {
    const { runner, backend } = setup({ "array-max-running": 5 });
    runner.reply("sbatch", { stdout: "9" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3, maxRunning: 2 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    expect(runner.callsOf("sbatch").map((c) => c.args[1])).toEqual(["--array=0-2%2", "--array=0-2%5", expect.stringMatching(/job-3\.sh$/)]);
  });

  it("fails with a CommandError carrying sbatch's message", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { exitCode: 1, stderr: "sbatch: error: invalid partition specified: nosuch\n" });
    const error = await backend.submit(scriptRequest({ script: SCRIPT, count: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toBe("[daskq:slurm] sbatch failed (exit 1): sbatch: error: invalid partition specified: nosuch");
  });

  it("fails with a CommandError when sbatch exits 0 without an id", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "garbage\n", stderr: "sbatch: warning: odd" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).rejects.toThrow(
      /^\[daskq:slurm\] sbatch failed \(exit 0\): printed no job id: garbage\nsbatch: warning: odd$/,
    );
  });

  it("creates the request's output directory once, before sbatch (Slurm does not)", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "5" });
    const script = "#!/bin/bash\n#SBATCH -o /scratch/logs/%x-%A_%a.out\n#SBATCH -e rel/err-%j\nsleep 1\n";
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/logs" }));
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/logs" }));
    expect(runner.calls.map((c) => [c.command, ...c.args].join(" "))).toEqual([
      "mkdir -p -- /scratch/logs",
      expect.stringMatching(/^sbatch --parsable \S+job-1\.sh$/),
      expect.stringMatching(/^sbatch --parsable \S+job-2\.sh$/),
    ]);
  });

  it("refuses arrays when arrays are switched off, and says so in its capabilities", async () => {
    const { runner, backend } = setup({ arrays: false });
    expect(backend.capabilities.arrays).toBe(false);
    expect(backend.arrayIndex).toBeUndefined();
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 2 }))).rejects.toThrow(/arrays are switched off/);
    runner.reply("sbatch", { stdout: "8" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["8"]);
    expect(runner.callsOf("sbatch")).toHaveLength(1);
  });

  it("has arrays on by default", () => {
    const { backend } = setup();
    expect(backend.capabilities.arrays).toBe(true);
    expect(backend.arrayIndex).toEqual({ variable: "SLURM_ARRAY_TASK_ID", first: 0 });
  });

  it("refuses counts and limits that are not positive integers before running anything", async () => {
    const { runner, backend } = setup();
    for (const request of [{ count: 0 }, { count: 1.5 }, { count: 3, maxRunning: 0 }]) {
      await expect(backend.submit(scriptRequest({ script: SCRIPT, ...request }))).rejects.toBeInstanceOf(DaskqError);
    }
    expect(runner.calls).toEqual([]);
    expect(() => setup({ "array-max-running": -1 })).toThrow(/array-max-running/);
    expect(() => setup({ arrays: "yes" })).toThrow(/arrays/);
  });

  it("removes its script directory on close", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "1" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    await backend.close();
    expect(runner.calls.at(-1)).toEqual({ command: "rm", args: ["-rf", "--", "/fake/tmp/daskq-slurm-1"] });
  });
});
