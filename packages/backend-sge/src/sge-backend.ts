import { posix } from "node:path";
import {
  renderHeader,
  runChecked,
  silentLogger,
  type ArrayIndex,
  type Backend,
  type BackendCapabilities,
  type CommandRunner,
  type HeaderContext,
  type JobSpec,
  type JobStatus,
  type Logger,
  type SubmitRequest,
} from "@daskq/core";
import { runQdel } from "./sge-cancel.js";
import { QSUB_PREFIX } from "./sge-directives.js";
import { renderSgeHeader } from "./sge-header.js";
import { DEFAULT_SGE_OPTIONS, type SgeOptions } from "./sge-options.js";
import { outputDirectories, outputFileOf } from "./sge-output.js";
import { querySgeStatus } from "./sge-status.js";
import { checkSubmitRequest, runQsub } from "./sge-submit.js";

/**
 * Grid Engine (Son of Grid Engine, Sun/Oracle Grid Engine, Univa/Altair Grid Engine) through its
 * command-line tools, all run by a `CommandRunner` (this machine or a login node over SSH):
 * `qsub -terse` to submit (arrays with `-t 1-N`), ONE `qstat -xml` per status poll, ONE `qdel` per
 * cancel.
 */
export class SgeBackend implements Backend {
  readonly name = "sge";
  readonly directivePrefix = QSUB_PREFIX;
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;

  private scriptDir: Promise<string> | undefined;
  private scriptCount = 0;
  private readonly createdDirectories = new Set<string>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger: Logger = silentLogger,
    private readonly options: SgeOptions = DEFAULT_SGE_OPTIONS,
  ) {
    this.capabilities = { arrays: options.arrays };
    this.arrayIndex = options.arrays ? { variable: "SGE_TASK_ID", first: 1 } : undefined;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderSgeHeader(spec, context);
  }

  /**
   * Writes the script to this backend's private directory on the runner's host, creates the
   * directories its output goes to, and runs qsub. Resolves the ids as soon as qsub answers. qsub
   * copies the script into its spool, so later changes to the file do not affect the job.
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    checkSubmitRequest(request, this.options.arrays);
    const dir = await this.ensureScriptDir();
    const path = posix.join(dir, `job-${++this.scriptCount}.sh`);
    await this.runner.writeFile(path, request.script, { mode: 0o700 });
    await this.ensureDirectories(outputDirectories(request.script));
    const maxRunning = request.count > 1 ? (request.maxRunning ?? this.options.arrayMaxRunning) : undefined;
    const ids = await runQsub(this.runner, path, request.count, maxRunning);
    this.logger.debug(`sge: qsub ${path} -> ${ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`}`);
    return ids;
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return querySgeStatus(this.runner, ids, this.logger);
  }

  cancel(ids: readonly string[]): Promise<void> {
    return runQdel(this.runner, ids, this.logger);
  }

  /**
   * Where the job's output goes, read from the header this spec renders to (so `job-directives-skip`
   * and `job-extra-directives` count): `<log-directory>/<name>.o<job id>` for a job and
   * `<log-directory>/<name>.o<job id>.<task>` for an array task (`-j y` puts stderr there too).
   * Undefined without `log-directory` (with `-cwd` the file lands in qsub's working directory, which
   * the runner decides), and for a spec whose header cannot be rendered (it is only a hint).
   */
  outputFile(spec: JobSpec, jobId: string): string | undefined {
    try {
      return outputFileOf(renderHeader(this, spec, spec.jobName), jobId);
    } catch {
      return undefined;
    }
  }

  /** Removes this backend's script directory. */
  async close(): Promise<void> {
    const dir = this.scriptDir;
    this.scriptDir = undefined;
    if (!dir) return;
    try {
      const path = await dir;
      await this.runner.run("rm", ["-rf", "--", path]);
    } catch (error) {
      this.logger.debug(`sge: could not remove the script directory: ${(error as Error).message}`);
    }
  }

  private ensureScriptDir(): Promise<string> {
    if (!this.scriptDir) {
      const made = this.runner.makeTempDir("daskq-sge-");
      made.catch(() => {
        if (this.scriptDir === made) this.scriptDir = undefined;
      });
      this.scriptDir = made;
    }
    return this.scriptDir;
  }

  /** `mkdir -p` for output directories not created yet by this backend (one command for all). */
  private async ensureDirectories(dirs: readonly string[]): Promise<void> {
    const missing = dirs.filter((d) => !this.createdDirectories.has(d));
    if (missing.length === 0) return;
    await runChecked(this.runner, "sge", "mkdir", ["-p", "--", ...missing], {
      hint: "Grid Engine does not create the log directory, and jobs whose output directory is missing stay in the error state Eqw",
    });
    for (const d of missing) this.createdDirectories.add(d);
  }
}
