import {
  CliBackend,
  DaskqError,
  silentLogger,
  type ArrayIndex,
  type BackendCapabilities,
  type CommandRunner,
  type HeaderContext,
  type JobSpec,
  type JobStatus,
  type Logger,
  type NamedJob,
  type ScriptSubmission,
  type SubmitRequest,
} from "@daskq/core";
import { runBkill } from "./lsf-cancel.js";
import { BSUB } from "./lsf-directives.js";
import { renderLsfHeader, specUnits } from "./lsf-header.js";
import { parseLsfJobId } from "./lsf-ids.js";
import { findLsfJobsNamed } from "./lsf-jobs-named.js";
import { DEFAULT_LSF_OPTIONS, type LsfOptions } from "./lsf-options.js";
import { outputFileOf } from "./lsf-output.js";
import { BjobsStatus } from "./lsf-status.js";
import { checkSubmitRequest, runBsub } from "./lsf-submit.js";
import { detectLsfUnits, type LsfUnit } from "./lsf-units.js";

/**
 * IBM Spectrum LSF through its command-line tools, all run by a `CommandRunner` (this machine or a
 * login node over SSH): `bsub < script` to submit (arrays with `-J "name[1-N]%k"`), ONE `bjobs`
 * per status poll, ONE `bkill` per cancel.
 */
export class LsfBackend extends CliBackend<LsfOptions> {
  readonly name = "lsf";
  readonly directivePrefix = BSUB;
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;

  protected readonly submitCommand = "bsub";
  protected readonly outputDirectoryHint = "LSF does not create the log directory, and output for a directory that does not exist is lost";

  private readonly bjobs: BjobsStatus;
  /** Ids this backend asked bkill to end: their EXIT is a cancellation, not a failure. */
  private readonly cancelled = new Set<string>();
  private detectedUnits: LsfUnit | undefined;
  private preparing: Promise<void> | undefined;

  constructor(runner: CommandRunner, logger: Logger = silentLogger, options: LsfOptions = DEFAULT_LSF_OPTIONS) {
    super(runner, logger, options);
    this.capabilities = { arrays: options.arrays };
    this.arrayIndex = options.arrays ? { variable: "LSB_JOBINDEX", first: 1 } : undefined;
    this.bjobs = new BjobsStatus(runner, logger);
  }

  /**
   * The unit of `-M`: `lsf-units` when set, else LSF_UNIT_FOR_LIMITS from the lsf.conf `prepare()`
   * read on the runner's host, else KB.
   *
   * @throws DaskqError without `lsf-units` before `prepare()`.
   */
  get units(): LsfUnit {
    const units = this.options.units ?? this.detectedUnits;
    if (!units) throw new DaskqError("lsf", "the LSF memory unit is not known yet: call prepare() before rendering a header (or set jobqueue.lsf.lsf-units)");
    return units;
  }

  /** Reads LSF_UNIT_FOR_LIMITS from lsf.conf through the runner, once, unless `lsf-units` is set. A failed attempt is retried next time. */
  prepare(): Promise<void> {
    if (this.options.units) return Promise.resolve();
    if (!this.preparing) {
      const reading = detectLsfUnits(this.runner).then((detected) => {
        this.logger.debug(`lsf: memory limits in ${detected.unit} (${detected.source === "default" ? "LSF's default" : detected.source})`);
        this.detectedUnits = detected.unit;
      });
      reading.catch(() => {
        if (this.preparing === reading) this.preparing = undefined;
      });
      this.preparing = reading;
    }
    return this.preparing;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderLsfHeader(spec, context, specUnits(spec) ?? this.units);
  }

  /**
   * Creates the output directory first, then runs bsub with the script on its standard input
   * (`use-stdin`, the default): no file is written. With `use-stdin: false` the base's template
   * takes over: it writes the script to this backend's private directory and passes its path.
   * Resolves the ids as soon as bsub answers.
   */
  override async submit(request: SubmitRequest): Promise<string[]> {
    if (!this.options.useStdin) return super.submit(request);
    const script = this.checkedScript(request);
    await this.ensureOutputDirectory(request.outputDirectory);
    const ids = await runBsub(this.runner, script, request.count, this.maxRunning(request));
    this.submitted(request, ids, "< script");
    return ids;
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return this.bjobs.query(ids, this.cancelled);
  }

  async cancel(ids: readonly string[]): Promise<void> {
    for (const id of ids) if (parseLsfJobId(id)) this.cancelled.add(id);
    await runBkill(this.runner, ids, this.logger);
  }

  /** The unfinished jobs named `name` (see `findLsfJobsNamed`). */
  jobsNamed(name: string): Promise<NamedJob[]> {
    return findLsfJobsNamed(this.runner, name);
  }

  protected checkRequest(request: SubmitRequest): void {
    checkSubmitRequest(request, this.options.arrays);
  }

  /** `bsub [-J "name[1-N]%k"] <path>` (only with `use-stdin: false`; the array name comes from the script's `-J`). */
  protected submitScript({ script, path, count, maxRunning }: ScriptSubmission): Promise<string[]> {
    return runBsub(this.runner, script, count, maxRunning, path);
  }

  /** `<output directory>/<name>-<job id>_<index>.out`, index 0 for a job that is not an array. */
  protected outputFileOf(outputDirectory: string, spec: JobSpec, jobId: string): string | undefined {
    return outputFileOf(outputDirectory, spec.jobName, jobId);
  }
}
