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
import { runScancel } from "./slurm-cancel.js";
import { SBATCH } from "./slurm-directives.js";
import { renderSlurmHeader } from "./slurm-header.js";
import { DEFAULT_SLURM_OPTIONS, type SlurmOptions } from "./slurm-options.js";
import { outputDirectories, outputFileOf } from "./slurm-output.js";
import { querySlurmStatus } from "./slurm-status.js";
import { checkSubmitRequest, runSbatch } from "./slurm-submit.js";

/**
 * Slurm through its command-line tools, all run by a `CommandRunner` (this machine or a login node
 * over SSH): `sbatch --parsable` to submit (arrays with `--array`), ONE `squeue` per status poll, ONE
 * `scancel` per cancel.
 */
export class SlurmBackend implements Backend {
  readonly name = "slurm";
  readonly directivePrefix = SBATCH;
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;

  private scriptDir: Promise<string> | undefined;
  private scriptCount = 0;
  private readonly createdDirectories = new Set<string>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger: Logger = silentLogger,
    private readonly options: SlurmOptions = DEFAULT_SLURM_OPTIONS,
  ) {
    this.capabilities = { arrays: options.arrays };
    this.arrayIndex = options.arrays ? { variable: "SLURM_ARRAY_TASK_ID", first: 0 } : undefined;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderSlurmHeader(spec, context);
  }

  /**
   * Writes the script to this backend's private directory on the runner's host, creates the
   * directories its output goes to, and runs sbatch. Resolves the ids as soon as sbatch answers.
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    checkSubmitRequest(request, this.options.arrays);
    const dir = await this.ensureScriptDir();
    const path = posix.join(dir, `job-${++this.scriptCount}.sh`);
    await this.runner.writeFile(path, request.script, { mode: 0o700 });
    await this.ensureDirectories(outputDirectories(request.script));
    const maxRunning = request.count > 1 ? (request.maxRunning ?? this.options.arrayMaxRunning) : undefined;
    const ids = await runSbatch(this.runner, path, request.count, maxRunning);
    this.logger.debug(`slurm: sbatch ${path} -> ${ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`}`);
    return ids;
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return querySlurmStatus(this.runner, ids, this.logger);
  }

  cancel(ids: readonly string[]): Promise<void> {
    return runScancel(this.runner, ids, this.logger);
  }

  /**
   * Where the job's output goes, read from the header this spec renders to (so `job-directives-skip`
   * and `job-extra-directives` count): `<log-directory>/<name>-<array job id>_<task>.out`, where a
   * job that is not an array has task 4294967294 (what Slurm puts for `%a`). Undefined without
   * `log-directory` (Slurm then writes `slurm-<id>.out` into sbatch's working directory, which the
   * runner decides), and for a spec whose header cannot be rendered (it is only a hint).
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
      this.logger.debug(`slurm: could not remove the script directory: ${(error as Error).message}`);
    }
  }

  private ensureScriptDir(): Promise<string> {
    if (!this.scriptDir) {
      const made = this.runner.makeTempDir("daskq-slurm-");
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
    await runChecked(this.runner, "slurm", "mkdir", ["-p", "--", ...missing], {
      hint: "Slurm does not create the log directory, and jobs whose output directory is missing fail at launch",
    });
    for (const d of missing) this.createdDirectories.add(d);
  }
}
