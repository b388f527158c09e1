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
import { runCancel } from "./pbs-cancel.js";
import { PBS } from "./pbs-directives.js";
import { FLAVOURS, detectFlavour, type PbsFlavour } from "./pbs-flavour.js";
import { renderPbsHeader } from "./pbs-header.js";
import { findPbsJobsNamed } from "./pbs-jobs-named.js";
import { queryMoabStatus } from "./pbs-moab.js";
import { DEFAULT_PBS_OPTIONS, type PbsOptions } from "./pbs-options.js";
import { outputFileOf } from "./pbs-output.js";
import { queryPbsStatus, type StatusSession } from "./pbs-status.js";
import { checkSubmitRequest, runSubmit } from "./pbs-submit.js";

/**
 * PBS Pro/OpenPBS, Torque and Moab through their command-line tools, all run by a `CommandRunner`
 * (this machine or a login node over SSH): `qsub` (`msub`) to submit, arrays with `-J`/`-t`; ONE
 * `qstat` (`showq`) per status poll; ONE `qdel` (`canceljob`) per cancel. With `flavour: auto` the
 * flavour is asked once from `qstat --version` in `prepare()`, so headers are rendered in the right
 * flavour from the first one on.
 */
export class PbsBackend extends CliBackend<PbsOptions> {
  readonly name = "pbs";
  readonly directivePrefix = PBS;
  readonly capabilities: BackendCapabilities;

  protected readonly outputDirectoryHint = "PBS does not create the log directory; output it cannot deliver lands in the undelivered spool";

  private detected: PbsFlavour | undefined;
  private detecting: Promise<PbsFlavour> | undefined;
  private readonly statusSession: StatusSession = { history: true };

  /**
   * @param preview the backend only renders scripts (`daskq job-script`): with `flavour: auto`, a
   *   flavour that cannot be detected (no qstat, or another system's) is PBS Pro's, with a warning.
   */
  constructor(
    runner: CommandRunner,
    logger: Logger = silentLogger,
    options: PbsOptions = DEFAULT_PBS_OPTIONS,
    private readonly preview = false,
  ) {
    super(runner, logger, options);
    this.capabilities = { arrays: options.arrays && options.flavour !== "moab" };
  }

  /** The flavour known without running anything: configured, or detected earlier. */
  get knownFlavour(): PbsFlavour | undefined {
    return this.options.flavour === "auto" ? this.detected : this.options.flavour;
  }

  /**
   * How array subjobs learn their index: `$PBS_ARRAY_INDEX` (PBS Pro) or `$PBS_ARRAYID` (Torque),
   * from 0. With `flavour: auto` it is PBS Pro's until `prepare()` has run (no header renders before).
   */
  get arrayIndex(): ArrayIndex | undefined {
    if (!this.capabilities.arrays) return undefined;
    const variable = FLAVOURS[this.knownFlavour ?? "pro"].arrayVariable ?? "PBS_ARRAY_INDEX";
    return { variable, first: 0 };
  }

  /**
   * The flavour whose syntax headers use.
   *
   * @throws DaskqError with `flavour: auto` before `prepare()` has asked qstat.
   */
  private get headerFlavour(): PbsFlavour {
    const known = this.knownFlavour;
    if (!known) throw new DaskqError("pbs", "the PBS flavour is not known yet: call prepare() before rendering a header (or set jobqueue.pbs.flavour)");
    return known;
  }

  /** `qsub`, or `msub` on Moab (the flavour is known by the time a submission is logged). */
  protected get submitCommand(): string {
    return FLAVOURS[this.knownFlavour ?? "pro"].submit;
  }

  /**
   * Learns the flavour (`qstat --version` with `flavour: auto`, once). For a preview, a flavour
   * that cannot be detected is PBS Pro's (what dask-jobqueue's PBSCluster writes), said as a warning;
   * a backend that submits fails instead, with the detection's message.
   */
  async prepare(): Promise<void> {
    try {
      await this.flavour();
    } catch (error) {
      if (!this.preview) throw error;
      this.detected = "pro";
      this.logger.warn(`${(error as Error).message.replace(/^\[daskq:pbs\] /, "pbs: ")}. This preview uses PBS Pro's syntax (as dask-jobqueue's PBSCluster writes); a submission detects the flavour or fails`);
    }
  }

  /** The flavour, asking `qstat --version` once when it is `auto` (a failed attempt is retried next time). */
  flavour(): Promise<PbsFlavour> {
    const known = this.knownFlavour;
    if (known) return Promise.resolve(known);
    if (!this.detecting) {
      const asking = detectFlavour(this.runner).then((flavour) => {
        this.detected = flavour;
        this.logger.debug(`pbs: qstat --version says ${FLAVOURS[flavour].label}`);
        return flavour;
      });
      asking.catch(() => {
        if (this.detecting === asking) this.detecting = undefined;
      });
      this.detecting = asking;
    }
    return this.detecting;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderPbsHeader(spec, context, {
      flavour: this.headerFlavour,
      resourceSpec: this.options.resourceSpec,
      accountFallback: this.options.accountFallback,
    });
  }

  async status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    if (ids.length === 0) return new Map();
    const flavour = await this.flavour();
    return flavour === "moab" ? queryMoabStatus(this.runner, ids, this.logger) : queryPbsStatus(this.runner, flavour, ids, this.logger, this.statusSession);
  }

  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    return runCancel(this.runner, await this.flavour(), ids, this.logger);
  }

  /** The unfinished jobs named `name`, from ONE command (see `findPbsJobsNamed`). */
  async jobsNamed(name: string): Promise<NamedJob[]> {
    return findPbsJobsNamed(this.runner, await this.flavour(), name);
  }

  protected checkRequest(request: SubmitRequest): void {
    checkSubmitRequest(request, this.capabilities.arrays);
  }

  /** `qsub [-J|-t 0-(n-1)[%k]] <path>`, or `msub <path>` on Moab. */
  protected async submitScript({ path, count, maxRunning }: ScriptSubmission): Promise<string[]> {
    return runSubmit(this.runner, await this.flavour(), path, count, maxRunning);
  }

  /** Depends on the flavour; see `outputFileOf`. */
  protected outputFileOf(outputDirectory: string, spec: JobSpec, jobId: string): string | undefined {
    return outputFileOf(outputDirectory, spec.jobName, jobId, this.knownFlavour ?? "pro");
  }
}
