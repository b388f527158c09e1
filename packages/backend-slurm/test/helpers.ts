import type { JobSpec } from "@daskq/core";

import { testJobSpec } from "@daskq/testing";

export { FakeRunner, scriptRequest, type RecordedCall } from "@daskq/testing";

/** A resolved JobSpec like the config loader would make for `jobqueue.slurm`: cores 8, memory 16GB, 1 h. */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return testJobSpec(overrides);
}
