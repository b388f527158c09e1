import type { JobSpec } from "@daskq/core";

import { testJobSpec } from "@daskq/testing";

export { FakeRunner, scriptRequest, type RecordedCall } from "@daskq/testing";

/** What `qstat --version` prints: PBS Pro on stdout, Torque on stderr (see pbs-flavour.ts). */
export const PRO_VERSION = { stdout: "pbs_version = 22.05.11\n" };
export const TORQUE_VERSION = { stderr: "Version: 6.1.3\nCommit: 0123abcd\n" };

/** A resolved JobSpec like the config loader would make for `jobqueue.pbs`: cores 8, memory 16GB, 1 h. */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return testJobSpec(overrides);
}
