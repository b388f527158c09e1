import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  DaskqError,
  renderJobScript,
  silentLogger,
  type ArrayIndex,
  type Backend,
  type BackendCapabilities,
  type JobStatus,
  type Logger,
  type SubmitRequest,
} from "@daskq/core";
import { DrmaaAction, DrmaaErrno } from "./drmaa-constants.js";
import { DrmaaError, DrmaaHelper } from "./drmaa-helper.js";
import { outputFileOfTask, outputPathPattern, workerJobTemplate } from "./drmaa-job-template.js";
import { DEFAULT_DRMAA_OPTIONS, type DrmaaOptions } from "./drmaa-options.js";
import { statusesOf } from "./drmaa-status.js";
import type { JobPsAnswer } from "./helper-protocol.js";
import { resolveLibraryPath } from "./library-path.js";
import { renderNativeSpecification } from "./native-specification.js";

/**
 * Any DRMAA 1.0 system through its C library (tested on Grid Engine's libdrmaa). The library lives
 * in a helper process (`DrmaaHelper`), started by `prepare()` with the environment the library needs:
 * n jobs are ONE `drmaa_run_bulk_jobs`, a poll is one helper request (`drmaa_job_ps` per job
 * inside it), a cancel one helper request (`drmaa_control(TERMINATE)` per job inside it).
 * A job runs core's job script, the one the script backends submit (env, the cluster's TLS
 * material as 0600 files, prologue, scheduler check, worker, epilogue), written 0700 into a private
 * directory and named as `drmaa_remote_command` (Grid Engine: `-b n`, read and spooled at
 * submission like `qsub`); a bulk job's worker names itself `<base>-<task index>`.
 */
export class DrmaaBackend implements Backend {
  readonly name = "drmaa";
  readonly capabilities: BackendCapabilities = { arrays: true };
  readonly arrayIndex: ArrayIndex;

  private helper: Promise<DrmaaHelper> | undefined;
  /** Output file of every submitted job, by id. */
  private readonly outputs = new Map<string, string>();
  private submissions = 0;
  /** Private directory (0700) of the job scripts, made in the output directory on first submit; removed by `close`. */
  private scriptDir: Promise<string> | undefined;

  constructor(
    private readonly options: DrmaaOptions = DEFAULT_DRMAA_OPTIONS,
    private readonly logger: Logger = silentLogger,
    /** The cluster's id, in the output file names of its jobs. */
    private readonly clusterId: string = `daskq-${randomBytes(2).toString("hex")}`,
    /** Working directory of the jobs (like `qsub -cwd`). */
    private readonly workingDirectory: string = process.cwd(),
  ) {
    this.arrayIndex = { variable: options.taskIndexVariable, first: 1 };
  }

  /** Starts the helper: loads the library and opens the DRMAA session (errors name the library). */
  async prepare(): Promise<void> {
    await this.session();
  }

  /**
   * Writes the job script, then ONE `drmaa_run_bulk_jobs(1, count, 1)`; ids in task order. The
   * output directory is created first (Grid Engine puts a job whose output directory is missing in
   * an error state).
   *
   * @throws DaskqError for a value no job script can carry (core's `renderJobScript`).
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    const { count } = request;
    if (!Number.isInteger(count) || count < 1) throw new DaskqError("drmaa", `expected a positive number of jobs, got ${count}`);
    const nativeSpecification = renderNativeSpecification(request.spec, this.options, count > 1 ? request.maxRunning : undefined);
    const pattern = outputPathPattern(request.outputDirectory, request.spec.jobName, `${this.clusterId}-${++this.submissions}`);
    const script = renderJobScript(this, request.spec, request.worker, request.outputDirectory);
    await mkdir(request.outputDirectory, { recursive: true });
    const scriptPath = join(await this.scriptDirectory(request.outputDirectory), `job-${this.submissions}.sh`);
    await writeFile(scriptPath, script, { mode: 0o700 });
    const template = workerJobTemplate({
      spec: request.spec,
      scriptPath,
      outputPattern: pattern,
      nativeSpecification,
      workingDirectory: this.workingDirectory,
    });
    const helper = await this.session();
    const ids = await helper.request<string[]>({ op: "runBulkJobs", template, count });
    ids.forEach((id, i) => this.outputs.set(id, outputFileOfTask(pattern, i + 1)));
    if (ids.length !== count) {
      this.logger.warn(`drmaa: drmaa_run_bulk_jobs returned ${ids.length} job ids for ${count} jobs: ${ids.join(" ")}`);
    }
    return ids;
  }

  /**
   * One helper request: `drmaa_job_ps` for each id. Ids DRMAA does not know are absent.
   *
   * @throws DrmaaError when DRMAA fails for another reason (e.g. the qmaster does not answer).
   */
  async status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    if (ids.length === 0) return new Map();
    const helper = await this.session();
    const answers = await helper.request<Record<string, JobPsAnswer>>({ op: "jobPs", ids: [...new Set(ids)] });
    const { statuses, errors } = statusesOf(answers);
    if (errors.length > 0) throw new DrmaaError(`drmaa_job_ps failed: ${errors.slice(0, 3).join("; ")}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ""}`);
    return statuses;
  }

  /**
   * One helper request: `drmaa_control(TERMINATE)` for each id. Unknown or ended ids are harmless.
   *
   * @throws DrmaaError when DRMAA refuses for another reason.
   */
  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const helper = await this.session();
    const failures = await helper.request<Record<string, { errno: number; message: string }>>({
      op: "control",
      ids: [...new Set(ids)],
      action: DrmaaAction.TERMINATE,
    });
    const real = Object.entries(failures).filter(([, f]) => f.errno !== DrmaaErrno.INVALID_JOB);
    if (real.length > 0) throw new DrmaaError(`drmaa_control(TERMINATE) failed: ${real.map(([id, f]) => `${id}: ${f.message}`).join("; ")}`);
  }

  /** The last `lines` lines of a job's output file (stdout and stderr joined); undefined when unknown or not written. */
  async logTail(id: string, lines: number): Promise<string | undefined> {
    const path = this.outputs.get(id);
    if (!path) return undefined;
    try {
      return (await readFile(path, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return undefined;
    }
  }

  /** Ends the DRMAA session and the helper (jobs are cancelled by core before this), and removes the job scripts. */
  async close(): Promise<void> {
    const helper = this.helper;
    this.helper = undefined;
    const scripts = this.scriptDir;
    this.scriptDir = undefined;
    if (helper) await helper.then((h) => h.close()).catch(() => undefined);
    if (scripts) {
      await scripts
        .then((dir) => rm(dir, { recursive: true, force: true }))
        .catch((error: Error) => this.logger.debug(`drmaa: could not remove the job scripts: ${error.message}`));
    }
  }

  /**
   * The private directory of the job scripts: in the output directory, which the nodes see (they
   * write their output there), so a DRMAA system that runs the script in place (not spooled, e.g.
   * `native-options: none`) finds it too. Made on first use, again after a failure.
   */
  private scriptDirectory(outputDirectory: string): Promise<string> {
    if (!this.scriptDir) {
      const made = mkdtemp(join(outputDirectory, ".daskq-drmaa-scripts-"));
      made.catch(() => {
        if (this.scriptDir === made) this.scriptDir = undefined;
      });
      this.scriptDir = made;
    }
    return this.scriptDir;
  }

  /** The running helper; a new one when there is none or the last one died. */
  private async session(): Promise<DrmaaHelper> {
    const current = this.helper ? await this.helper.catch(() => undefined) : undefined;
    if (current?.alive) return current;
    if (current) this.logger.warn(`drmaa: the DRMAA helper process ended; starting a new one`);
    const library = resolveLibraryPath(this.options.library);
    const started = DrmaaHelper.start({ library, logger: this.logger, ...(this.options.contact ? { contact: this.options.contact } : {}) });
    this.helper = started;
    started.catch(() => {
      if (this.helper === started) this.helper = undefined;
    });
    return started;
  }
}
