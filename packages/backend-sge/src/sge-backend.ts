import {
  CliBackend,
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
import { runQdel } from "./sge-cancel.js";
import { QSUB_PREFIX } from "./sge-directives.js";
import { renderSgeHeader } from "./sge-header.js";
import { DEFAULT_SGE_OPTIONS, type SgeOptions } from "./sge-options.js";
import { outputFileOf } from "./sge-output.js";
import { findSgeJobsNamed, querySgeStatus } from "./sge-status.js";
import { checkSubmitRequest, runQsub } from "./sge-submit.js";

/**
 * Grid Engine (Son of Grid Engine, Sun/Oracle Grid Engine, Univa/Altair Grid Engine) through its
 * command-line tools, all run by a `CommandRunner` (this machine or a login node over SSH):
 * `qsub -terse` to submit (arrays with `-t 1-N`), ONE `qstat -xml` per status poll, ONE `qdel` per
 * cancel.
 */
export class SgeBackend extends CliBackend<SgeOptions> {
  readonly name = "sge";
  readonly directivePrefix = QSUB_PREFIX;
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;

  protected readonly submitCommand = "qsub";
  protected readonly outputDirectoryHint =
    "Grid Engine does not create the log directory, and jobs whose output directory is missing stay in the error state Eqw";

  constructor(runner: CommandRunner, logger: Logger = silentLogger, options: SgeOptions = DEFAULT_SGE_OPTIONS) {
    super(runner, logger, options);
    this.capabilities = { arrays: options.arrays };
    this.arrayIndex = options.arrays ? { variable: "SGE_TASK_ID", first: 1 } : undefined;
  }

  header(spec: JobSpec, context: HeaderContext): string[] {
    return renderSgeHeader(spec, context);
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return querySgeStatus(this.runner, ids, this.logger);
  }

  jobsNamed(name: string): Promise<NamedJob[]> {
    return findSgeJobsNamed(this.runner, name);
  }

  cancel(ids: readonly string[]): Promise<void> {
    return runQdel(this.runner, ids, this.logger);
  }

  protected checkRequest(request: SubmitRequest): void {
    checkSubmitRequest(request, this.options.arrays);
  }

  /**
   * `qsub -terse [-t 1-count [-tc limit]] <path>`. qsub copies the script into its spool, so later
   * changes to the file do not affect the job.
   */
  protected submitScript({ path, count, maxRunning }: ScriptSubmission): Promise<string[]> {
    return runQsub(this.runner, path, count, maxRunning);
  }

  /**
   * `<output directory>/<name>.o<job id>` for a job and `<output directory>/<name>.o<job id>.<task>`
   * for an array task (`-j y` puts stderr there too), as the `-o <dir>/` line makes it.
   */
  protected outputFileOf(outputDirectory: string, spec: JobSpec, jobId: string): string | undefined {
    return outputFileOf(outputDirectory, spec.jobName, jobId);
  }
}
