import type { Backend, SubmitRequest } from "../backend/backend.js";
import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import { JobNaming } from "../job/job-naming.js";
import type { WorkerNaming } from "../job/worker-command.js";
import type { Logger } from "../logger.js";
import type { PoolOwnership } from "../ownership/pool-ownership.js";
import type { JobTable } from "./job-table.js";

/** What a pool's submitter needs. */
export interface JobSubmitterOptions {
  /** A backend whose `prepare()` has run. */
  readonly backend: Backend;
  readonly spec: JobSpec;
  readonly naming: JobNaming;
  /** The request for one job or one array (`count` jobs named by `naming`). */
  readonly request: (naming: WorkerNaming, count: number) => SubmitRequest;
  /** Every job id is written here before the job is tracked (and before a submission returns). */
  readonly ownership: PoolOwnership;
  readonly table: JobTable;
  readonly logger: Logger;
}

/** A submission that failed without a clear answer: its jobs may exist. */
interface Unresolved {
  readonly name: string;
  readonly array: boolean;
}

/**
 * Submits the jobs of one pool: `count` jobs as ONE array where the backend can, else one by one.
 * Each job id is in the cluster's state file before the job is tracked, so a crash right after
 * `submit()` answered still gets the job cancelled. A submission whose answer was lost (a dropped
 * SSH connection) is looked for by the batch job name before anything else is submitted.
 */
export class JobSubmitter {
  private unresolved: Unresolved | undefined;

  constructor(private readonly options: JobSubmitterOptions) {}

  /** True when a failed submission must be looked for (`findUnresolved`) before the next one. */
  get hasUnresolved(): boolean {
    return this.unresolved !== undefined;
  }

  /** Submits `count` jobs and tracks them. */
  async submit(count: number): Promise<void> {
    const { backend, naming, request, table, logger } = this.options;
    if (count > 1 && backend.capabilities.arrays) {
      const base = naming.next();
      const ids = await this.submitting({ name: base, array: true }, () => request({ kind: "array", base }, count));
      ids.forEach((id, i) => table.track(id, JobNaming.arrayTask(base, (backend.arrayIndex?.first ?? 0) + i)));
      logger.info(`submitted an array of ${count} jobs (${ids[0]} ...)`);
      return;
    }
    for (let i = 0; i < count; i++) {
      const name = naming.next();
      const [id] = await this.submitting({ name, array: false }, () => request({ kind: "fixed", name }, 1));
      if (id === undefined) throw new DaskqError(backend.name, "submission returned no job id");
      table.track(id, name);
    }
    logger.info(`submitted ${count} job(s)`);
  }

  /**
   * Looks for the jobs of the unresolved submission under the pool's batch job name (ONE query):
   * jobs listed there that the pool does not track are that submission's; they are recorded and
   * tracked from now on. Resolves false (submit nothing this tick) when the batch system cannot be
   * asked yet.
   */
  async findUnresolved(): Promise<boolean> {
    const unresolved = this.unresolved as Unresolved;
    const { backend, spec, ownership, table, logger } = this.options;
    let listed;
    try {
      listed = await (backend.jobsNamed as NonNullable<Backend["jobsNamed"]>).call(backend, spec.jobName);
    } catch (error) {
      logger.warn(`cannot look for the jobs of a submission whose answer was lost yet (${(error as Error).message}); not submitting until it is known`);
      return false;
    }
    this.unresolved = undefined;
    const found = listed.filter((job) => !table.has(job.id));
    if (found.length > 0) await ownership.recordJobs(found.map((job) => job.id));
    for (const job of found) {
      table.track(job.id, unresolved.array ? JobNaming.arrayTask(unresolved.name, job.arrayIndex ?? 0) : unresolved.name);
    }
    if (found.length > 0) logger.warn(`found ${found.length} job(s) of a submission whose answer was lost: ${found.map((j) => j.id).join(" ")}; tracking them instead of submitting again`);
    else logger.info("the submission whose answer was lost did not reach the batch system; submitting again");
    return true;
  }

  /**
   * ONE backend submission; its ids are on disk when it resolves. If it fails and the backend can
   * list jobs by name, it is marked unresolved: it may have reached the batch system with only its
   * answer lost.
   */
  private async submitting(what: Unresolved, request: () => SubmitRequest): Promise<string[]> {
    let ids: string[];
    try {
      ids = await this.options.backend.submit(request());
    } catch (error) {
      if (this.options.backend.jobsNamed) this.unresolved = what;
      throw error;
    }
    await this.options.ownership.recordJobs(ids);
    return ids;
  }
}
