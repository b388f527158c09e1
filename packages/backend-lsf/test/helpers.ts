import type { JobSpec } from "@daskq/core";
import type { LsfEnvironment } from "../src/lsf-units.js";

import { testJobSpec } from "@daskq/testing";

export { FakeRunner, type RecordedCall } from "@daskq/testing";

/** An lsf.conf lookup over an in-memory file system. */
export function fakeEnvironment(env: NodeJS.ProcessEnv, files: Record<string, string> = {}): LsfEnvironment {
  return { env, readFile: (path) => files[path] };
}

/** No lsf.conf anywhere: LSF's default unit (KB). */
export const NO_LSF_CONF = fakeEnvironment({});

/** A JobSpec like the config loader makes for `jobqueue.lsf`: cores 8, memory 16GB, 1 h, queue q, project p. */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return testJobSpec(overrides);
}
