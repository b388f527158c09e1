import { posix } from "node:path";
import { renderHeader } from "../job/job-script.js";
import type { JobSpec } from "../job/job-spec.js";
import type { Logger } from "../logger.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { runChecked } from "../runner/run-checked.js";
import type { ArrayIndex, Backend, BackendCapabilities, HeaderContext, JobStatus, SubmitRequest } from "./backend.js";

/** What `CliBackend` reads from a backend's options. */
export interface CliBackendOptions {
  /** `array-max-running`: the limit of running array tasks when a request gives none; unset: no limit. */
  readonly arrayMaxRunning: number | undefined;
}

/** One job script on its way to the batch system's submit command. */
export interface ScriptSubmission {
  /** The script as `prepareScript` returned it, which is what `path` holds. */
  readonly script: string;
  /** Where the script was written, in this backend's private directory on the runner's host. */
  readonly path: string;
  /** Number of jobs: 1, or the size of an array. */
  readonly count: number;
  /** For an array, at most this many tasks run at once (the request's limit, else `array-max-running`); undefined for one job. */
  readonly maxRunning: number | undefined;
}

/**
 * The base of backends that drive a batch system through its command-line tools, all run by a
 * `CommandRunner` (this machine or a login node over SSH).
 *
 * It holds what they share: a private script directory on the runner's host (made on first use,
 * removed by `close`), the `submit` template (check the request, prepare and write the script,
 * create its output directories, run the submit command, log the ids) and `outputFile`. A subclass
 * supplies the batch system's facts, header, commands and parsers.
 */
export abstract class CliBackend<O extends CliBackendOptions = CliBackendOptions> implements Backend {
  abstract readonly name: string;
  abstract readonly directivePrefix: string;
  abstract readonly capabilities: BackendCapabilities;
  abstract readonly arrayIndex: ArrayIndex | undefined;

  /** The command named in the debug line of each submission, e.g. `sbatch`. */
  protected abstract readonly submitCommand: string;
  /** Why output directories are created beforehand: the hint of the error when `mkdir` fails. */
  protected abstract readonly outputDirectoryHint: string;

  private scriptDir: Promise<string> | undefined;
  private scriptCount = 0;
  private readonly createdDirectories = new Set<string>();

  /**
   * @param runner Where every command runs and every script is written.
   * @param logger Receives debug lines (submissions, cleanup problems).
   * @param options The backend's validated options.
   */
  protected constructor(
    protected readonly runner: CommandRunner,
    protected readonly logger: Logger,
    protected readonly options: O,
  ) {}

  abstract header(spec: JobSpec, context: HeaderContext): string[];
  abstract status(ids: readonly string[]): Promise<Map<string, JobStatus>>;
  abstract cancel(ids: readonly string[]): Promise<void>;

  /**
   * Checks the request, prepares the script, writes it to this backend's private directory on the
   * runner's host, creates the directories its output goes to, and runs the submit command on it.
   * Resolves the ids as soon as the submit command answers.
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    this.checkRequest(request);
    const script = await this.prepareScript(request.script);
    const path = await this.writeScript(script);
    await this.ensureOutputDirectories(this.parseOutputDirectories(script));
    const ids = await this.submitScript({ script, path, count: request.count, maxRunning: this.maxRunning(request) });
    this.logSubmitted(path, ids);
    return ids;
  }

  /**
   * Where the job's output goes, read from the header this spec renders to (so
   * `job-directives-skip` and `job-extra-directives` count). Undefined when `parseOutputFile` cannot
   * tell, and for a spec whose header cannot be rendered (it is only a hint).
   */
  outputFile(spec: JobSpec, jobId: string): string | undefined {
    try {
      return this.parseOutputFile(renderHeader(this, spec, spec.jobName), jobId);
    } catch {
      return undefined;
    }
  }

  /** Removes this backend's script directory, if it made one. A failure is only logged (debug). */
  async close(): Promise<void> {
    const dir = this.scriptDir;
    this.scriptDir = undefined;
    if (!dir) return;
    try {
      const path = await dir;
      await this.runner.run("rm", ["-rf", "--", path]);
    } catch (error) {
      this.logger.debug(`${this.name}: could not remove the script directory: ${(error as Error).message}`);
    }
  }

  /**
   * Refuses a request before anything runs.
   *
   * @throws DaskqError for a count or limit this backend cannot submit.
   */
  protected abstract checkRequest(request: SubmitRequest): void;

  /** Runs the submit command for a written script and resolves the ids, in array index order. */
  protected abstract submitScript(submission: ScriptSubmission): Promise<string[]>;

  /** Directories the output files of `script` go to, to create before it is submitted. */
  protected abstract parseOutputDirectories(script: string): string[];

  /** The file a job's output goes to, from the header lines rendered for it; undefined when not known for sure. */
  protected abstract parseOutputFile(header: readonly string[], jobId: string): string | undefined;

  /** The script to write and submit, from the rendered one. By default the same. */
  protected async prepareScript(script: string): Promise<string> {
    return script;
  }

  /** The running-task limit of a request: its own, else `array-max-running`; undefined for one job. */
  protected maxRunning(request: SubmitRequest): number | undefined {
    return request.count > 1 ? (request.maxRunning ?? this.options.arrayMaxRunning) : undefined;
  }

  /** Writes `script` as `job-<n>.sh` (mode 0o700) to the private directory and resolves its path. */
  protected async writeScript(script: string): Promise<string> {
    const dir = await this.scriptDirectory();
    const path = posix.join(dir, `job-${++this.scriptCount}.sh`);
    await this.runner.writeFile(path, script, { mode: 0o700 });
    return path;
  }

  /**
   * `mkdir -p` for the directories this backend has not created yet, in ONE command.
   *
   * @throws CommandError with `outputDirectoryHint` when mkdir fails.
   */
  protected async ensureOutputDirectories(dirs: readonly string[]): Promise<void> {
    const missing = dirs.filter((d) => !this.createdDirectories.has(d));
    if (missing.length === 0) return;
    await runChecked(this.runner, this.name, "mkdir", ["-p", "--", ...missing], { hint: this.outputDirectoryHint });
    for (const d of missing) this.createdDirectories.add(d);
  }

  /** Logs (debug) `<name>: <submitCommand> <what> -> <first id> ... <last id>`. */
  protected logSubmitted(what: string, ids: readonly string[]): void {
    const shown = ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`;
    this.logger.debug(`${this.name}: ${this.submitCommand} ${what} -> ${shown}`);
  }

  /** This backend's private directory on the runner's host, made on first use (again after a failure). */
  private scriptDirectory(): Promise<string> {
    if (!this.scriptDir) {
      const made = this.runner.makeTempDir(`daskq-${this.name}-`);
      made.catch(() => {
        if (this.scriptDir === made) this.scriptDir = undefined;
      });
      this.scriptDir = made;
    }
    return this.scriptDir;
  }
}
