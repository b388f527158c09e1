import { randomBytes } from "node:crypto";

/**
 * Names that tie Dask workers to batch jobs. A cluster has a short random prefix; each job gets
 * `<prefix>-<n>`; an array task gets `<prefix>-<n>-<index>`. Dask names the workers of a job with
 * several processes `<job name>-<i>`. So every worker name leads back to exactly one job.
 */
export class JobNaming {
  private counter = 0;

  constructor(
    /** e.g. `daskq-3f9a0c1e` (a cluster names its jobs after its cluster id). */
    readonly prefix: string = `daskq-${randomBytes(2).toString("hex")}`,
  ) {}

  /** A new, unique base name for a job or an array. */
  next(): string {
    return `${this.prefix}-${this.counter++}`;
  }

  /** The job name of task `index` of the array called `base`. */
  static arrayTask(base: string, index: number): string {
    return `${base}-${index}`;
  }

  /**
   * The job a worker belongs to, given the known job names: the worker name itself, or, for jobs
   * with several processes, the name without Dask's `-<i>` suffix.
   */
  static jobOfWorker(workerName: string, processes: number, jobNames: ReadonlySet<string>): string | undefined {
    if (jobNames.has(workerName)) return workerName;
    if (processes > 1) {
      const base = workerName.replace(/-\d+$/, "");
      if (base !== workerName && jobNames.has(base)) return base;
    }
    return undefined;
  }
}
