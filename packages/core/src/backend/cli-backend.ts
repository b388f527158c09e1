import { posix } from "node:path";
import { DaskqError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import type { Logger } from "../logger.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { runChecked } from "../runner/run-checked.js";
import { lastLines } from "./last-lines.js";
import type { ArrayIndex, Backend, BackendCapabilities, HeaderContext, JobStatus, ScriptFormat, SubmitRequest } from "./backend.js";

/** What `CliBackend` reads from a backend's options. */
export interface CliBackendOptions {
  /** `array-max-running`: the limit of running array tasks when a request gives none; unset: no limit. */
  readonly arrayMaxRunning: number | undefined;
}

/** One job script on its way to the batch system's submit command. */
export interface ScriptSubmission {
  /** The script as core rendered it, which is what `path` holds. */
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
 * `CommandRunner` (this machine or a login node over SSH). Such a backend is its own `ScriptFormat`.
 *
 * It holds what they share: a private script directory on the runner's host (made on first use,
 * removed by `close`), the `submit` template (check the request, write the script, create the
 * output directory, run the submit command, record each job's output file, log the ids) and
 * `logTail`, which reads the recorded file through the runner. A subclass supplies the batch
 * system's facts, header, commands, parsers and where a job's output file lands.
 */
export abstract class CliBackend<O extends CliBackendOptions = CliBackendOptions> implements Backend, ScriptFormat {
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
  /** Each submitted job's output file, recorded at submission. */
  private readonly outputFiles = new Map<string, string>();

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

  /** A command-line backend renders its own header. */
  get script(): ScriptFormat {
    return this;
  }

  abstract header(spec: JobSpec, context: HeaderContext): string[];
  abstract status(ids: readonly string[]): Promise<Map<string, JobStatus>>;
  abstract cancel(ids: readonly string[]): Promise<void>;

  /**
   * Checks the request, writes its script to this backend's private directory on the runner's
   * host, creates the output directory, and runs the submit command on it. Resolves the ids as
   * soon as the submit command answers, and records where each job's output goes.
   */
  async submit(request: SubmitRequest): Promise<string[]> {
    const script = this.checkedScript(request);
    const path = await this.writeScript(script);
    await this.ensureOutputDirectory(request.outputDirectory);
    const ids = await this.submitScript({ script, path, count: request.count, maxRunning: this.maxRunning(request) });
    this.submitted(request, ids, path);
    return ids;
  }

  /** The last `lines` lines of the output file recorded for `id`, read through the runner. */
  async logTail(id: string, lines: number): Promise<string | undefined> {
    const path = this.outputFiles.get(id);
    if (path === undefined) return undefined;
    return lastLines(await this.runner.readFile(path), lines);
  }

  /** Records where job `id`, submitted elsewhere with this spec and output directory, writes its output. */
  adoptJob(id: string, request: Pick<SubmitRequest, "spec" | "outputDirectory">): void {
    const file = this.outputFileOf(request.outputDirectory, request.spec, id);
    if (file !== undefined) this.outputFiles.set(id, file);
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

  /**
   * The file job `jobId` writes its output to, following the output directive this backend renders
   * for `outputDirectory`; undefined when it cannot be known (an id of another shape).
   */
  protected abstract outputFileOf(outputDirectory: string, spec: JobSpec, jobId: string): string | undefined;

  /**
   * The request's script, after `checkRequest`.
   *
   * @throws DaskqError when the request carries no script (core always renders one for a script backend).
   */
  protected checkedScript(request: SubmitRequest): string {
    this.checkRequest(request);
    if (request.script === undefined) throw new DaskqError(this.name, "a submit request without a job script; core renders one for every script backend");
    return request.script;
  }

  /** Records the output file of each new job and logs (debug) `<name>: <submitCommand> <what> -> <first id> ... <last id>`. */
  protected submitted(request: SubmitRequest, ids: readonly string[], what: string): void {
    for (const id of ids) this.adoptJob(id, request);
    const shown = ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`;
    this.logger.debug(`${this.name}: ${this.submitCommand} ${what} -> ${shown}`);
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
   * `mkdir -p` for the output directory, once: batch systems do not create it, and a job whose
   * output directory is missing fails or loses its output.
   *
   * @throws CommandError with `outputDirectoryHint` when mkdir fails.
   */
  protected async ensureOutputDirectory(dir: string): Promise<void> {
    if (this.createdDirectories.has(dir)) return;
    await runChecked(this.runner, this.name, "mkdir", ["-p", "--", dir], { hint: this.outputDirectoryHint });
    this.createdDirectories.add(dir);
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
