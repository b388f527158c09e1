import { workerLaunch, type JobSpec, type SubmitRequest } from "@daskq/core";
import { testJobSpec } from "./test-job-spec.js";

/** What a backend unit test gives `scriptRequest`: a script and a count, the rest defaulted. */
export interface ScriptRequestParts {
  readonly script: string;
  readonly count: number;
  readonly maxRunning?: number;
  /** Default `testJobSpec()`. */
  readonly spec?: JobSpec;
  /** Default `/fake/out`. */
  readonly outputDirectory?: string;
}

/**
 * A complete v2 SubmitRequest around a given script, for backends' unit tests: the structured
 * worker is the spec's, named `test-worker` (or an array `test-worker-<i>` for count > 1).
 */
export function scriptRequest(parts: ScriptRequestParts): SubmitRequest {
  const spec = parts.spec ?? testJobSpec();
  const naming = parts.count > 1 ? ({ kind: "array", base: "test-worker" } as const) : ({ kind: "fixed", name: "test-worker" } as const);
  return {
    spec,
    worker: workerLaunch(spec, "tcp://127.0.0.1:8786", naming),
    count: parts.count,
    outputDirectory: parts.outputDirectory ?? "/fake/out",
    script: parts.script,
    ...(parts.maxRunning === undefined ? {} : { maxRunning: parts.maxRunning }),
  };
}
