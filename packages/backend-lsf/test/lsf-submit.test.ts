import { CommandError, DaskqError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { arrayBaseName, parseBsubOutput } from "../src/lsf-submit.js";
import { FakeRunner, scriptRequest } from "./helpers.js";

const SCRIPT = "#!/usr/bin/env bash\n\n#BSUB -J dask-worker\n#BSUB -n 1\n\necho hi\n";

function setup(options?: Record<string, unknown>) {
  const runner = new FakeRunner();
  const backend = createLsfBackend({ runner, logger: silentLogger, clusterId: "daskq-test", ...(options ? { options } : {}) });
  return { runner, backend };
}

describe("bsub output", () => {
  it("reads the job id from both documented forms, after other lines", () => {
    expect(parseBsubOutput("Job <123> is submitted to queue <normal>.\n")).toEqual({ jobId: "123", queue: "normal" });
    expect(parseBsubOutput("Job <9148559> is submitted to default queue <research-rh7>.\n")).toEqual({ jobId: "9148559", queue: "research-rh7" });
    expect(parseBsubOutput("esub: project checked\nJob <7> is submitted to queue <short>.\n")?.jobId).toBe("7");
  });

  it("finds no id in anything else", () => {
    for (const out of ["", "Job not submitted.", "Job <abc> is submitted to queue <q>.", "Submitted batch job 12", "Job <-1> is submitted"]) {
      expect(parseBsubOutput(out)).toBeUndefined();
    }
  });

  it("names arrays after the script's -J, without an index list", () => {
    expect(arrayBaseName(SCRIPT)).toBe("dask-worker");
    expect(arrayBaseName("#BSUB -J 'x[1-3]'\n")).toBe("x");
    expect(arrayBaseName("#!/bin/sh\necho\n")).toBe("daskq");
    expect(arrayBaseName('#BSUB -J "a b"\n')).toBe("daskq");
  });
});

describe("submit", () => {
  it("runs ONE bsub with the script on its standard input (bsub < script) and no file", async () => {
    const { runner, backend } = setup();
    runner.reply("bsub", { stdout: "Job <123> is submitted to default queue <normal>.\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["123"]);
    expect(runner.calls.filter((c) => c.command !== "mkdir")).toEqual([{ command: "bsub", args: [], input: SCRIPT }]);
    expect(runner.files.size).toBe(0);
  });

  it("submits several jobs as one array named on the command line, ids 123[1]..123[N]", async () => {
    const { runner, backend } = setup();
    runner.reply("bsub", { stdout: "Job <123> is submitted to queue <normal>.\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 4 }))).toEqual(["123[1]", "123[2]", "123[3]", "123[4]"]);
    expect(runner.calls.filter((c) => c.command !== "mkdir")).toEqual([{ command: "bsub", args: ["-J", "dask-worker[1-4]"], input: SCRIPT }]);
  });

  it("limits running elements with %k, from the request or from array-max-running", async () => {
    const { runner, backend } = setup({ "array-max-running": 5 });
    runner.reply("bsub", { stdout: "Job <9> is submitted to queue <normal>." });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3, maxRunning: 2 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    expect(runner.callsOf("bsub").map((c) => c.args.join(" "))).toEqual(["-J dask-worker[1-3]%2", "-J dask-worker[1-3]%5", ""]);
  });

  it("with use-stdin: false writes the script to a private directory and passes its path (bsub script)", async () => {
    const { runner, backend } = setup({ "use-stdin": false });
    runner.reply("bsub", { stdout: "Job <1> is submitted to queue <normal>." }, { stdout: "Job <2> is submitted to queue <normal>." });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["1"]);
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 2 }))).toEqual(["2[1]", "2[2]"]);
    const paths = [...runner.files.keys()];
    expect(paths).toEqual(["/fake/tmp/daskq-lsf-1/job-1.sh", "/fake/tmp/daskq-lsf-1/job-2.sh"]);
    expect(runner.files.get(paths[0] as string)).toEqual({ content: SCRIPT, mode: 0o700 });
    expect(runner.calls.filter((c) => c.command !== "mkdir")).toEqual([
      { command: "bsub", args: [paths[0]], input: undefined },
      { command: "bsub", args: ["-J", "dask-worker[1-2]", paths[1]], input: undefined },
    ]);
    expect(runner.events.filter((e) => e === "mktemp")).toHaveLength(1);
    await backend.close();
    expect(runner.calls.at(-1)).toEqual({ command: "rm", args: ["-rf", "--", "/fake/tmp/daskq-lsf-1"], input: undefined });
  });

  it("fails with bsub's message in a CommandError", async () => {
    const { runner, backend } = setup();
    runner.reply("bsub", { exitCode: 255, stderr: "nosuch: No such queue. Job not submitted.\n" });
    const error = await backend.submit(scriptRequest({ script: SCRIPT, count: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toBe("[daskq:lsf] bsub failed (exit 255): nosuch: No such queue. Job not submitted.");
  });

  it("fails when bsub exits 0 without a job id", async () => {
    const { runner, backend } = setup();
    runner.reply("bsub", { stdout: "Request aborted by esub.\n" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).rejects.toThrow(/^\[daskq:lsf\] bsub failed \(exit 0\): printed no job id: Request aborted by esub\.$/);
  });

  it("creates the request's output directory once, before bsub (LSF does not)", async () => {
    const { runner, backend } = setup();
    runner.reply("bsub", { stdout: "Job <5> is submitted to queue <normal>." });
    const script = "#!/bin/bash\n#BSUB -o /scratch/logs/w-%J_%I.out\n#BSUB -e rel/err.%J\n#BSUB -eo /x/%J/e\nsleep 1\n";
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/logs" }));
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/logs" }));
    expect(runner.calls.map((c) => [c.command, ...c.args].join(" "))).toEqual(["mkdir -p -- /scratch/logs", "bsub", "bsub"]);
  });

  it("refuses arrays when they are switched off, and says so in its capabilities", async () => {
    const { runner, backend } = setup({ arrays: false });
    expect(backend.capabilities.arrays).toBe(false);
    expect(backend.arrayIndex).toBeUndefined();
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 2 }))).rejects.toThrow(/arrays are switched off/);
    expect(runner.calls).toEqual([]);
  });

  it("refuses counts and limits that are not positive integers before running anything", async () => {
    const { runner, backend } = setup();
    for (const request of [{ count: 0 }, { count: 2.5 }, { count: 3, maxRunning: 0 }]) {
      await expect(backend.submit(scriptRequest({ script: SCRIPT, ...request }))).rejects.toBeInstanceOf(DaskqError);
    }
    expect(runner.calls).toEqual([]);
    expect(() => setup({ "array-max-running": 0 })).toThrow(/array-max-running/);
    expect(() => setup({ "use-stdin": "no" })).toThrow(/use-stdin/);
    expect(() => setup({ "lsf-units": "bytes" })).toThrow(/lsf-units/);
  });

  it("has arrays on by default, indexed by LSB_JOBINDEX from 1", () => {
    const { backend } = setup();
    expect(backend.capabilities.arrays).toBe(true);
    expect(backend.arrayIndex).toEqual({ variable: "LSB_JOBINDEX", first: 1 });
  });

  it("has nothing to remove on close when it wrote no script", async () => {
    const { runner, backend } = setup();
    await backend.close();
    expect(runner.calls).toEqual([]);
  });
});
