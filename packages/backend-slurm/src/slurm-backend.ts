import {
  CliBackend,
  lastLines,
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
import { runScancel } from "./slurm-cancel.js";
import { SBATCH } from "./slurm-directives.js";
import { renderSlurmHeader } from "./slurm-header.js";
import { DEFAULT_SLURM_OPTIONS, type SlurmOptions } from "./slurm-options.js";
import { findOutputFile, outputFileOf } from "./slurm-output.js";
import { findSlurmJobsNamed } from "./slurm-jobs-named.js";
import { querySlurmStatus } from "./slurm-status.js";
import { checkSubmitRequest, runSbatch } from "./slurm-submit.js";

/**
 * Slurm through its command-line tools, all run by a `CommandRunner` (this machine or a login node
 * over SSH): `sbatch --parsable` to submit (arrays with `--array`), ONE `squeue` per status poll, ONE
 * `scancel` per cancel.
 */
export class SlurmBackend extends CliBackend<SlurmOptions> {
  readonly name = "slurm";
  readonly directivePrefix = SBATCH;
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;

  protected readonly submitCommand = "sbatch";
  protected readonly outputDirectoryHint = "Slurm does not create the log directory, and jobs whose output directory is missing fail at launch";
  /** The output directory of each job submitted or adopted. */
  private readonly outputDirectories = new Map<string, string>();

  constructor(runner: CommandRunner, logger: Logger = silentLogger, options: SlurmOptions = DEFAULT_SLURM_OPTIONS) {
    super(runner, logger, options);
    this.capabilities = { arrays: options.arrays };
    this.arrayIndex = options.arrays ? { variable: "SLURM_ARRAY_TASK_ID", first: 0 } : undefined;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderSlurmHeader(spec, context);
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return querySlurmStatus(this.runner, ids, this.logger);
  }

  cancel(ids: readonly string[]): Promise<void> {
    return runScancel(this.runner, ids, this.logger);
  }

  jobsNamed(name: string): Promise<NamedJob[]> {
    return findSlurmJobsNamed(this.runner, name);
  }

  override adoptJob(id: string, request: Pick<SubmitRequest, "spec" | "outputDirectory">): void {
    super.adoptJob(id, request);
    this.outputDirectories.set(id, request.outputDirectory);
  }

  /**
   * The end of the job's output: the file its name leads to, else (a job adopted without the
   * cluster's tagged job name, as `daskq logs` does) the file of its id in its output directory.
   */
  override async logTail(id: string, lines: number): Promise<string | undefined> {
    const tail = await super.logTail(id, lines);
    const directory = this.outputDirectories.get(id);
    if (tail !== undefined || directory === undefined) return tail;
    const file = await findOutputFile(this.runner, directory, id);
    return file === undefined ? undefined : lastLines(await this.runner.readFile(file), lines);
  }

  protected checkRequest(request: SubmitRequest): void {
    checkSubmitRequest(request, this.options.arrays);
  }

  /** `sbatch --parsable [--array=0-(count-1)[%limit]] <path>`. */
  protected submitScript({ path, count, maxRunning }: ScriptSubmission): Promise<string[]> {
    return runSbatch(this.runner, path, count, maxRunning);
  }

  /**
   * `<output directory>/<name>-<array job id>_<task>.out`, where a job that is not an array has task
   * 4294967294 (what Slurm puts for `%a`), as the `-o` line of `renderSlurmHeader` makes it.
   */
  protected outputFileOf(outputDirectory: string, spec: JobSpec, jobId: string): string | undefined {
    return outputFileOf(outputDirectory, spec.jobName, jobId);
  }
}
