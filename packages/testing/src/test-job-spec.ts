import type { JobSpec } from "@daskq/core";

/**
 * A resolved JobSpec as the config loader would make it for the reference example of the golden
 * headers: cores 8, memory 16GB, walltime 1 h, queue q, account p (processes 2). For unit tests.
 */
export function testJobSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    jobName: "dask-worker",
    cores: 8,
    memory: 16e9,
    processes: 2,
    python: "/usr/bin/python3",
    interface: undefined,
    deathTimeout: 60,
    localDirectory: undefined,
    workerCommand: "distributed.cli.dask_worker",
    workerExtraArgs: [],
    nanny: true,
    prologue: [],
    epilogue: [],
    extraDirectives: [],
    directivesSkip: [],
    logDirectory: undefined,
    shebang: "#!/usr/bin/env bash",
    walltime: 3600,
    queue: "q",
    account: "p",
    env: {},
    backendOptions: {},
    ...overrides,
  };
}
