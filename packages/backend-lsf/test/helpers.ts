import type { JobSpec } from "@daskq/core";

import { testJobSpec } from "@daskq/testing";

import { FakeRunner } from "@daskq/testing";

export { FakeRunner, scriptRequest, type RecordedCall } from "@daskq/testing";

/** A runner whose host has these LSF environment variables and files (lsf.conf lookups). */
export function lsfHost(env: { LSF_ENVDIR?: string; LSF_CONFDIR?: string }, files: Record<string, string> = {}): FakeRunner {
  const runner = new FakeRunner().reply("sh", { stdout: `${env.LSF_ENVDIR ?? ""}\n${env.LSF_CONFDIR ?? ""}\n` });
  for (const [path, content] of Object.entries(files)) runner.files.set(path, { content, mode: undefined });
  return runner;
}

/** A JobSpec like the config loader makes for `jobqueue.lsf`: cores 8, memory 16GB, 1 h, queue q, project p. */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return testJobSpec(overrides);
}
