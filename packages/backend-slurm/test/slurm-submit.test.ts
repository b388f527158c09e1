import { silentLogger } from "@daskq/core";
import { scriptSubmitSuite } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { createSlurmBackend, slurmBackend } from "../src/slurm-descriptor.js";
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

scriptSubmitSuite({
  descriptor: slurmBackend,
  command: "sbatch",
  script: SCRIPT,
  submitArgs: (path) => ["--parsable", path],
  arrayAnswer: (id, count) => ({ stdout: `${id}\n`, ids: Array.from({ length: count }, (_, i) => `${id}_${i}`) }),
  refusal: { stderr: "sbatch: error: invalid partition specified: nosuch\n", message: "sbatch: error: invalid partition specified: nosuch" },
  outputScript: { script: "#!/bin/bash\n#SBATCH -o /scratch/logs/%x-%A_%a.out\n#SBATCH -e rel/err-%j\nsleep 1\n", directory: "/scratch/logs" },
  arrayIndex: { variable: "SLURM_ARRAY_TASK_ID", first: 0 },
});

describe("submit", () => {
  it("drops the cluster name from 123;cluster", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "123;cluster\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }))).toEqual(["123"]);
  });

  it("submits an array with --array=0-<n-1> first, then the script", async () => {
    const { runner, backend } = setup();
    runner.reply("sbatch", { stdout: "123\n" });
    expect(await backend.submit(scriptRequest({ script: SCRIPT, count: 4 }))).toEqual(["123_0", "123_1", "123_2", "123_3"]);
    expect(runner.callsOf("sbatch")[0]?.args).toEqual(["--parsable", "--array=0-3", "/fake/tmp/daskq-slurm-1/job-1.sh"]);
  });

  it("limits running tasks with %limit, from the request or from array-max-running", async () => {
    const { runner, backend } = setup({ "array-max-running": 5 });
    runner.reply("sbatch", { stdout: "9" });
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3, maxRunning: 2 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 3 }));
    await backend.submit(scriptRequest({ script: SCRIPT, count: 1 }));
    expect(runner.callsOf("sbatch").map((c) => c.args[1])).toEqual(["--array=0-2%2", "--array=0-2%5", expect.stringMatching(/job-3\.sh$/)]);
  });

});
