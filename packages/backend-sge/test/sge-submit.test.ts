import { silentLogger } from "@daskq/core";
import { scriptSubmitSuite } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { createSgeBackend, sgeBackend } from "../src/sge-descriptor.js";
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

scriptSubmitSuite({
  descriptor: sgeBackend,
  command: "qsub",
  script: SCRIPT,
  submitArgs: (path) => ["-terse", path],
  arrayAnswer: (id, count) => ({ stdout: `${id}.1-${count}:1\n`, ids: Array.from({ length: count }, (_, i) => `${id}.${i + 1}`) }),
  refusal: {
    stderr: 'Unable to run job: Job was rejected because job requests unknown queue "nosuch".\nExiting.\n',
    message: 'Unable to run job: Job was rejected because job requests unknown queue "nosuch".\nExiting.',
  },
  outputScript: { script: '#!/bin/bash\n#$ -o "/scratch/my logs/"\n#$ -e rel/err.txt\nsleep 1\n', directory: "/scratch/my logs" },
  arrayIndex: { variable: "SGE_TASK_ID", first: 1 },
});

describe("submit", () => {
  it("submits an array with -t 1-<n> first, then the script", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "123.1-4:1\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 4 }))).toEqual(["123.1", "123.2", "123.3", "123.4"]);
    expect(runner.callsOf("qsub")[0]?.args).toEqual(["-terse", "-t", "1-4", "/fake/tmp/daskq-sge-1/job-1.sh"]);
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

  it("deletes and reports a submission that is not what was asked for (-t in extra directives)", async () => {
    const { runner, backend } = setup();
    runner.reply("qsub", { stdout: "55.1-3:1\n" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).rejects.toThrow(/submitted 55\.1-3:1 where one job was asked for.*Remove -t/);
    expect(runner.callsOf("qdel")).toEqual([{ command: "qdel", args: ["55"] }]);
    runner.reply("qsub", { stdout: "56\n" });
    await expect(backend.submit(scriptRequest({ script: SCRIPT, count: 2 }))).rejects.toThrow(/where the array 1-2:1 was asked for/);
  });

  it("stops with a CommandError when the output directory cannot be made", async () => {
    const { runner, backend } = setup();
    runner.reply("mkdir", { exitCode: 1, stderr: "mkdir: cannot create directory '/x': Permission denied" });
    await expect(backend.submit(scriptRequest({ script: "#$ -o /x/logs/\n", count: 1 }))).rejects.toThrow(/mkdir failed.*Permission denied.*Eqw/);
    expect(runner.callsOf("qsub")).toEqual([]);
  });

});
