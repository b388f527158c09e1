import type { Backend, SubmitRequest } from "../backend/backend.js";
import type { TlsPem } from "../security/cluster-certificates.js";
import type { JobSpec } from "./job-spec.js";
import { renderJobScript } from "./job-script.js";
import { workerLaunch, type WorkerNaming } from "./worker-command.js";

/** What one submission is made of, besides the backend and the spec. */
export interface SubmissionParts {
  /** The scheduler the workers connect to. */
  readonly schedulerAddress: string;
  /** Where job output goes (decided once per cluster). */
  readonly outputDirectory: string;
  /** One job with a fixed worker name, or the tasks of an array. */
  readonly naming: WorkerNaming;
  /** Number of jobs (1 unless `naming` is an array). */
  readonly count: number;
  /** For arrays: at most this many run at once. */
  readonly maxRunning?: number;
  /** The cluster's TLS material for the workers, when the scheduler uses TLS. */
  readonly tls?: TlsPem | undefined;
}

/**
 * The request that submits `count` jobs of `spec` to `backend`: the structured job, and the script
 * rendered once when the backend submits scripts. Call it after the backend's `prepare()`.
 */
export function submitRequest(backend: Pick<Backend, "name" | "script" | "arrayIndex">, spec: JobSpec, parts: SubmissionParts): SubmitRequest {
  const worker = workerLaunch(spec, parts.schedulerAddress, parts.naming, parts.tls);
  const script = backend.script ? renderJobScript(backend, spec, worker, parts.outputDirectory) : undefined;
  return {
    spec,
    worker,
    count: parts.count,
    outputDirectory: parts.outputDirectory,
    ...(parts.maxRunning === undefined ? {} : { maxRunning: parts.maxRunning }),
    ...(script === undefined ? {} : { script }),
  };
}
