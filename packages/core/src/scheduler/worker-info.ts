/** A Dask worker as the scheduler describes it. */
export interface WorkerInfo {
  /** Worker address, e.g. `tcp://10.0.0.7:40123`; the scheduler's key for it. */
  readonly address: string;
  /** The worker's `--name`; daskq derives it from the job name, so it maps back to the job. */
  readonly name: string;
  readonly nthreads: number;
  readonly memoryLimit: number;
  readonly host: string | undefined;
  /** Worker status as last reported (`init`, `running`, `closing_gracefully`, ...). */
  readonly status: string | undefined;
}

/** Turns one entry of the scheduler's `workers` map into a `WorkerInfo`. */
export function toWorkerInfo(address: string, raw: unknown): WorkerInfo {
  const r = (raw ?? {}) as Record<string, unknown>;
  return {
    address,
    name: String(r["name"] ?? address),
    nthreads: Number(r["nthreads"] ?? 0),
    memoryLimit: Number(r["memory_limit"] ?? 0),
    host: typeof r["host"] === "string" ? r["host"] : undefined,
    status: typeof r["status"] === "string" ? r["status"] : undefined,
  };
}

/** Converts the scheduler's `workers` map (address -> info). */
export function toWorkerList(raw: unknown): WorkerInfo[] {
  if (raw === null || typeof raw !== "object") return [];
  return Object.entries(raw as Record<string, unknown>).map(([address, info]) => toWorkerInfo(address, info));
}
