import { CommandError, DaskqError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSgeBackend } from "../src/sge-descriptor.js";
import { parseQsubOutput } from "../src/sge-submit.js";
import { FakeRunner, scriptRequest } from "./helpers.js";

const SCRIPT = "#!/usr/bin/env bash\n\n#$ -N dask-worker\n\necho hi\n";

function setup(options?: Record<string, unknown>) {
  const runner = new FakeRunner();
  const backend = createSgeBackend({ runner, logger: silentLogger, options, clusterId: "daskq-test" });
  return { runner, backend };
}

describe("qsub -terse output", () => {
  it("reads a job id, or an array's id and task range", () => {
    expect(parseQsubOutput("123\n")).toEqual({ jobId: "123", tasks: undefined });
    expect(parseQsubOutput("123.1-4:1\n")).toEqual({ jobId: "123", tasks: { first: 1, last: 4, step: 1 } });
    expect(parseQsubOutput("warning: no suitable queues\n77\n")).toEqual({ jobId: "77", tasks: undefined });
  });

  it("finds no id in anything else", () => {
    for (const out of ["", 'Your job 123 ("x") has been submitted', "abc", "12a", "123.", "123.x"]) {
      expect(parseQsubOutput(out), out).toBeUndefined();
    }
  });
});

describe("submit", () => {
  it("writes the script to a private temp dir through the runner and runs qsub -terse on it", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "123\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["123"]);
    const [path, file] = [...runner.files.entries()][0] ?? [];
    expect(path).toBe("/fake/tmp/daskq-sge-1/job-1.sh");
    expect(file).toEqual({ content: SCRIPT, mode: 0o700 });
    expect(runner.calls.filter((c) => c.command !== "mkdir")).toEqual([{ command: "qsub", args: ["-terse", path] }]);
    expect(runner.events).toEqual(["mktemp", `write ${path}`, "run mkdir", "run qsub"]);
  });

  it("reuses the temp dir and numbers the scripts", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "1" }, { stdout: "2" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    expect([...runner.files.keys()]).toEqual(["/fake/tmp/daskq-sge-1/job-1.sh", "/fake/tmp/daskq-sge-1/job-2.sh"]);
    expect(runner.events.filter((e) => e === "mktemp")).toHaveLength(1);
  });

  it("submits several jobs as one array and returns the task ids 1..n in order", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "123.1-4:1\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 4 }))).toEqual(["123.1", "123.2", "123.3", "123.4"]);
    expect(runner.callsOf("qsub")[0]?.args.slice(0, 3)).toEqual(["-terse", "-t", "1-4"]);
  });

  it("limits running tasks with -tc, from the request or from array-max-running", async () => {
    const { runner, backend } = setup({ "array-max-running": 5 });
    runner.reply("qsub", { stdout: "9.1-3:1" }, { stdout: "10.1-3:1" }, { stdout: "11" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3, maxRunning: 2 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    expect(runner.callsOf("qsub").map((c) => c.args.slice(0, -1))).toEqual([
      ["-terse", "-t", "1-3", "-tc", "2"],
      ["-terse", "-t", "1-3", "-tc", "5"],
      ["-terse"],
    ]);
  });

  it("fails with a CommandError carrying qsub's message", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { exitCode: 1, stderr: 'Unable to run job: Job was rejected because job requests unknown queue "nosuch".\nExiting.\n' });
    const error = await backend.submit(scriptRequest({ script: SCRIPT, count: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toBe(
      '[daskq:sge] qsub failed (exit 1): Unable to run job: Job was rejected because job requests unknown queue "nosuch".\nExiting.',
    );
  });

  it("fails with a CommandError when qsub exits 0 without an id", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "garbage\n", stderr: "warning: odd" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).rejects.toThrow(/^\[daskq:sge\] qsub failed \(exit 0\): printed no job id: garbage\nwarning: odd$/);
  });

  it("deletes and reports a submission that is not what was asked for (-t in extra directives)", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "55.1-3:1\n" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).rejects.toThrow(/submitted 55\.1-3:1 where one job was asked for.*Remove -t/);
    expect(runner.callsOf("qdel")).toEqual([{ command: "qdel", args: ["55"] }]);
    runner.reply("qsub", { stdout: "56\n" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 2 }))).rejects.toThrow(/where the array 1-2:1 was asked for/);
  });

  it("creates the request's output directory once, before qsub (Grid Engine does not)", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "5" });
    const script = '#!/bin/bash\n#$ -o "/scratch/my logs/"\n#$ -e rel/err.txt\nsleep 1\n';
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/my logs" }));
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/my logs" }));
    expect(runner.calls.map((c) => [c.command, ...c.args].join(" "))).toEqual([
      "mkdir -p -- /scratch/my logs",
      expect.stringMatching(/^qsub -terse \S+job-1\.sh$/),
      expect.stringMatching(/^qsub -terse \S+job-2\.sh$/),
    ]);
  });

  it("stops with a CommandError when the output directory cannot be made", async () => {
    const { runner, backend } = setup();
    runner.reply("mkdir", { exitCode: 1, stderr: "mkdir: cannot create directory '/x': Permission denied" });
    await expect(backend.submit(scriptRequest({ script: "#$ -o /x/logs/\n", count: 1 }))).rejects.toThrow(/mkdir failed.*Permission denied.*Eqw/);
    expect(runner.callsOf("qsub")).toEqual([]);
  });

  it("refuses arrays when arrays are switched off, and says so in its capabilities", async () => {
    const { runner, backend } = setup({ arrays: false });
    expect(backend.capabilities.arrays).toBe(false);
    expect(backend.arrayIndex).toBeUndefined();
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 2 }))).rejects.toThrow(/arrays are switched off/);
    runner.reply("qsub", { stdout: "8" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["8"]);
    expect(runner.callsOf("qsub")).toHaveLength(1);
  });

  it("has arrays on by default, numbered from 1 in SGE_TASK_ID", () => {
    const { backend } = setup();
    expect(backend.capabilities.arrays).toBe(true);
    expect(backend.arrayIndex).toEqual({ variable: "SGE_TASK_ID", first: 1 });
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
    runner.reply("qsub", { stdout: "1" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    await backend.close();
    expect(runner.calls.at(-1)).toEqual({ command: "rm", args: ["-rf", "--", "/fake/tmp/daskq-sge-1"] });
  });
});
