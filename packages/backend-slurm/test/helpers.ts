import type { JobSpec } from "@daskq/core";

export { FakeRunner, type RecordedCall } from "@daskq/testing";

/** A resolved JobSpec like the config loader would make for `jobqueue.slurm`: cores 8, memory 16GB, 1 h. */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
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
