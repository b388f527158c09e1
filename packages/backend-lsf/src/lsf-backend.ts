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
import { runBkill } from "./lsf-cancel.js";
import { BSUB } from "./lsf-directives.js";
import { renderLsfHeader, specUnits } from "./lsf-header.js";
import { parseLsfJobId } from "./lsf-ids.js";
import { DEFAULT_LSF_OPTIONS, type LsfOptions } from "./lsf-options.js";
import { outputDirectories, outputFileOf } from "./lsf-output.js";
import { BjobsStatus } from "./lsf-status.js";
import { checkSubmitRequest, runBsub } from "./lsf-submit.js";
import { LOCAL_LSF_ENVIRONMENT, detectLsfUnits, type LsfEnvironment, type LsfUnit } from "./lsf-units.js";

/**
 * IBM Spectrum LSF through its command-line tools, all run by a `CommandRunner` (this machine or a
 * login node over SSH): `bsub < script` to submit (arrays with `-J "name[1-N]%k"`), ONE `bjobs`
 * per status poll, ONE `bkill` per cancel.
 */
export class LsfBackend implements Backend {
  readonly name = "lsf";
  readonly directivePrefix = BSUB;
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;

  private readonly bjobs: BjobsStatus;
  /** Ids this backend asked bkill to end: their EXIT is a cancellation, not a failure. */
  private readonly cancelled = new Set<string>();
  private detectedUnits: LsfUnit | undefined;
  private scriptDir: Promise<string> | undefined;
  private scriptCount = 0;
  private readonly createdDirectories = new Set<string>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger: Logger = silentLogger,
    private readonly options: LsfOptions = DEFAULT_LSF_OPTIONS,
    private readonly environment: LsfEnvironment = LOCAL_LSF_ENVIRONMENT,
  ) {
    this.capabilities = { arrays: options.arrays };
    this.arrayIndex = options.arrays ? { variable: "LSB_JOBINDEX", first: 1 } : undefined;
    this.bjobs = new BjobsStatus(runner, logger);
  }

  /**
   * The unit of `-M`: `lsf-units` when set, else LSF_UNIT_FOR_LIMITS from lsf.conf (read once, on
   * this machine: see the README for remote runners), else KB.
   */
  get units(): LsfUnit {
    if (this.options.units) return this.options.units;
    if (this.detectedUnits === undefined) {
      const detected = detectLsfUnits(this.environment);
      this.logger.debug(`lsf: memory limits in ${detected.unit} (${detected.source === "default" ? "LSF's default" : detected.source})`);
      this.detectedUnits = detected.unit;
    }
    return this.detectedUnits;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderLsfHeader(spec, context, specUnits(spec) ?? this.units);
  }

  /**
   * Creates the directories the script's output goes to, then runs bsub with the script on its
   * standard input (`use-stdin`, the default) or, with `use-stdin: false`, writes the script to
   * this backend's private directory and passes its path. Resolves the ids as soon as bsub answers.
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    checkSubmitRequest(request, this.options.arrays);
    await this.ensureDirectories(outputDirectories(request.script));
    const maxRunning = request.count > 1 ? (request.maxRunning ?? this.options.arrayMaxRunning) : undefined;
    let path: string | undefined;
    if (!this.options.useStdin) {
      path = posix.join(await this.ensureScriptDir(), `job-${++this.scriptCount}.sh`);
      await this.runner.writeFile(path, request.script, { mode: 0o700 });
    }
    const ids = await runBsub(this.runner, request.script, request.count, maxRunning, path);
    this.logger.debug(`lsf: bsub ${path ?? "< script"} -> ${ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`}`);
    return ids;
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return this.bjobs.query(ids, this.cancelled);
  }

  async cancel(ids: readonly string[]): Promise<void> {
    for (const id of ids) if (parseLsfJobId(id)) this.cancelled.add(id);
    await runBkill(this.runner, ids, this.logger);
  }

  /**
   * Where the job's output goes, read from the header this spec renders to (so `job-directives-skip`
   * and `job-extra-directives` count): `<log-directory>/<name>-<job id>_<index>.out`, index 0 for a
   * job that is not an array. Undefined without `log-directory` (LSF then mails the output) and for
   * a spec whose header cannot be rendered (it is only a hint).
   */
  outputFile(spec: JobSpec, jobId: string): string | undefined {
    try {
      return outputFileOf(renderHeader(this, spec, spec.jobName), jobId);
    } catch {
      return undefined;
    }
  }

  /** Removes this backend's script directory (only `use-stdin: false` makes one). */
  async close(): Promise<void> {
    const dir = this.scriptDir;
    this.scriptDir = undefined;
    if (!dir) return;
    try {
      const path = await dir;
      await this.runner.run("rm", ["-rf", "--", path]);
    } catch (error) {
      this.logger.debug(`lsf: could not remove the script directory: ${(error as Error).message}`);
    }
  }

  private ensureScriptDir(): Promise<string> {
    if (!this.scriptDir) {
      const made = this.runner.makeTempDir("daskq-lsf-");
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
    await runChecked(this.runner, "lsf", "mkdir", ["-p", "--", ...missing], {
      hint: "LSF does not create the log directory, and output for a directory that does not exist is lost",
    });
    for (const d of missing) this.createdDirectories.add(d);
  }
}
