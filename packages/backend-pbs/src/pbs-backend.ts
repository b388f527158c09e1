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
import { runCancel } from "./pbs-cancel.js";
import { PBS } from "./pbs-directives.js";
import { FLAVOURS, detectFlavour, type PbsFlavour } from "./pbs-flavour.js";
import { renderPbsHeader } from "./pbs-header.js";
import { queryMoabStatus } from "./pbs-moab.js";
import { DEFAULT_PBS_OPTIONS, type PbsOptions } from "./pbs-options.js";
import { outputDirectories, outputFileOf } from "./pbs-output.js";
import { queryPbsStatus, type StatusSession } from "./pbs-status.js";
import { checkSubmitRequest, runSubmit } from "./pbs-submit.js";

/**
 * PBS Pro/OpenPBS, Torque and Moab through their command-line tools, all run by a `CommandRunner`
 * (this machine or a login node over SSH): `qsub` (`msub`) to submit, arrays with `-J`/`-t`; ONE
 * `qstat` (`showq`) per status poll; ONE `qdel` (`canceljob`) per cancel. With `flavour: auto` the
 * flavour is asked once from `qstat --version`, before the first command that needs it.
 */
export class PbsBackend implements Backend {
  readonly name = "pbs";
  readonly directivePrefix = PBS;
  readonly capabilities: BackendCapabilities;

  private detected: PbsFlavour | undefined;
  private detecting: Promise<PbsFlavour> | undefined;
  private scriptDir: Promise<string> | undefined;
  private scriptCount = 0;
  private readonly createdDirectories = new Set<string>();
  private readonly statusSession: StatusSession = { history: true };

  constructor(
    private readonly runner: CommandRunner,
    private readonly logger: Logger = silentLogger,
    private readonly options: PbsOptions = DEFAULT_PBS_OPTIONS,
  ) {
    this.capabilities = { arrays: options.arrays && options.flavour !== "moab" };
  }

  /** The flavour known without running anything: configured, or detected earlier. */
  get knownFlavour(): PbsFlavour | undefined {
    return this.options.flavour === "auto" ? this.detected : this.options.flavour;
  }

  /** How array subjobs learn their index: `$PBS_ARRAY_INDEX` (PBS Pro) or `$PBS_ARRAYID` (Torque), from 0. */
  get arrayIndex(): ArrayIndex | undefined {
    if (!this.capabilities.arrays) return undefined;
    const variable = FLAVOURS[this.headerFlavour].arrayVariable ?? "PBS_ARRAY_INDEX";
    return { variable, first: 0 };
  }

  /** The flavour whose syntax headers use: the known one, else PBS Pro's (dask-jobqueue's) until detected. */
  private get headerFlavour(): PbsFlavour {
    return this.knownFlavour ?? "pro";
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

  /**
   * Writes the script to this backend's private directory on the runner's host, creates the
   * directories its output goes to, and runs qsub (msub). Resolves the ids as soon as it answers.
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    checkSubmitRequest(request, this.capabilities.arrays);
    const flavour = await this.flavour();
    const script = this.adaptScript(request.script, flavour);
    const dir = await this.ensureScriptDir();
    const path = posix.join(dir, `job-${++this.scriptCount}.sh`);
    await this.runner.writeFile(path, script, { mode: 0o700 });
    await this.ensureDirectories(outputDirectories(script));
    const maxRunning = request.count > 1 ? (request.maxRunning ?? this.options.arrayMaxRunning) : undefined;
    const ids = await runSubmit(this.runner, flavour, path, request.count, maxRunning);
    this.logger.debug(`pbs: ${FLAVOURS[flavour].submit} ${path} -> ${ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`}`);
    return ids;
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

  /**
   * Where the job's output goes, read from the header this spec renders to (so `job-directives-skip`
   * and `job-extra-directives` count); see `outputFileOf`. Undefined without `log-directory`.
   */
  outputFile(spec: JobSpec, jobId: string): string | undefined {
    try {
      return outputFileOf(renderHeader(this, spec, spec.jobName), jobId, this.headerFlavour);
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
      this.logger.debug(`pbs: could not remove the script directory: ${(error as Error).message}`);
    }
  }

  /**
   * With `flavour: auto`, a script rendered before the flavour was known uses PBS Pro's syntax. On
   * Torque (and Moab) the generated `select=` line becomes `nodes=1:ppn=..,mem=..` and the array
   * index variable `$PBS_ARRAY_INDEX` becomes `$PBS_ARRAYID`. Lines the user wrote are left alone.
   */
  private adaptScript(script: string, flavour: PbsFlavour): string {
    if (this.options.flavour !== "auto" || flavour === "pro") return script;
    let adapted = script;
    if (!this.options.resourceSpec) adapted = adapted.replace(/^#PBS -l select=1:ncpus=(\d+):mem=(\w+)$/m, "#PBS -l nodes=1:ppn=$1,mem=$2");
    if (flavour === "torque") adapted = adapted.replaceAll('"${PBS_ARRAY_INDEX}"', '"${PBS_ARRAYID}"');
    if (adapted !== script) this.logger.debug(`pbs: adapted a script rendered before the flavour was known to ${FLAVOURS[flavour].label}`);
    return adapted;
  }

  private ensureScriptDir(): Promise<string> {
    if (!this.scriptDir) {
      const made = this.runner.makeTempDir("daskq-pbs-");
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
    await runChecked(this.runner, "pbs", "mkdir", ["-p", "--", ...missing], {
      hint: "PBS does not create the log directory; output it cannot deliver lands in the undelivered spool",
    });
    for (const d of missing) this.createdDirectories.add(d);
  }
}
