import type { ConfigKey } from "../config/config-key.js";
import type { JobSpec } from "../job/job-spec.js";
import type { JobState } from "../job/job-state.js";
import type { CommandRunner } from "../runner/command-runner.js";
import type { Logger } from "../logger.js";

/** What a backend can do beyond the required contract. */
export interface BackendCapabilities {
  /** Many identical jobs can be submitted as ONE array job. */
  readonly arrays: boolean;
}

/** How a job in an array learns its index. */
export interface ArrayIndex {
  /** Environment variable holding the task index, e.g. `SLURM_ARRAY_TASK_ID`. */
  readonly variable: string;
  /** Index of the first task: 0 for Slurm, 1 for SGE. */
  readonly first: number;
}

/** Context passed to the header renderer. */
export interface HeaderContext {
  /** The job name given to the batch system. */
  readonly jobName: string;
}

/** One submission: a complete job script for `count` identical jobs (count > 1 only with arrays). */
export interface SubmitRequest {
  /** The full job script, header included. */
  readonly script: string;
  /** Number of jobs: 1, or the size of an array. */
  readonly count: number;
  /** For arrays: at most this many tasks run at once (Slurm `%limit`). */
  readonly maxRunning?: number;
}

/** A job the batch system lists under a name (see `Backend.jobsNamed`). */
export interface NamedJob {
  readonly id: string;
  /** The array task index, for a task of an array job. */
  readonly arrayIndex?: number;
}

/** The batch system's view of one job. */
export interface JobStatus {
  readonly state: JobState;
  /** The batch system's own state word, e.g. `PENDING`, `qw`. */
  readonly native?: string;
  /** Why it is in that state, when the batch system says (e.g. `Resources`, `NonZeroExitCode`). */
  readonly reason?: string;
}

/**
 * A batch system seen by daskq. Implementations run every command through their `CommandRunner`.
 * Every backend passes the conformance suite of `@daskq/testing`.
 */
export interface Backend {
  /** Registry name, e.g. `slurm`. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Required when `capabilities.arrays` is true. */
  readonly arrayIndex?: ArrayIndex;
  /** Prefix of header directives, e.g. `#SBATCH`; empty for backends without a header. */
  readonly directivePrefix: string;
  /** The generated header lines (with prefix), before `job-extra-directives` and `job-directives-skip`. */
  header(spec: JobSpec, context: HeaderContext): string[];
  /** Submits one script for `count` jobs and resolves their ids, in array index order. */
  submit(request: SubmitRequest): Promise<string[]>;
  /**
   * The state of many jobs in ONE query. Ids the batch system does not know are absent from the map
   * (the caller decides whether that means finished or lost).
   */
  status(ids: readonly string[]): Promise<Map<string, JobStatus>>;
  /** Cancels jobs; unknown or finished ids are not an error. */
  cancel(ids: readonly string[]): Promise<void>;
  /**
   * The unfinished jobs the batch system lists under the batch job name `name` (each array task on its
   * own), in ONE query. With it, a cluster names its jobs uniquely and, when a submission failed
   * without a clear answer (e.g. the SSH connection dropped while sbatch ran), finds that submission's
   * jobs again before it submits anything else: no job is lost or submitted twice.
   */
  jobsNamed?(name: string): Promise<NamedJob[]>;
  /** Path of a job's output file when it is known, to show its tail when the job fails. */
  outputFile?(spec: JobSpec, jobId: string): string | undefined;
  /** Releases resources (temp files, connections). */
  close?(): Promise<void>;
}

/** What a backend gets when it is created. */
export interface BackendContext {
  /** Where commands run: this machine or a login node over SSH. */
  readonly runner: CommandRunner;
  readonly logger: Logger;
  /** The validated backend-specific config keys (`JobSpec.backendOptions`), e.g. `{ arrays: false }`. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * The registration unit: static facts about a backend plus a factory. Registered in the tsyringe
 * container under the `BACKEND` token by each backend package's `register(container)`.
 */
export interface BackendDescriptor {
  /** Registry name and default config section (`jobqueue.<name>`), e.g. `slurm`. */
  readonly name: string;
  /** One line for `daskq --help`. */
  readonly description: string;
  /** Backend-specific config keys beyond the shared ones. */
  readonly configKeys: readonly ConfigKey[];
  /** Overrides of shared defaults, keyed by kebab-case name (e.g. `{ walltime: "00:30" }`). */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** How a two-part walltime `A:B` is read by this batch system: hours:minutes or minutes:seconds. */
  readonly walltimeTwoPart?: "hours:minutes" | "minutes:seconds";
  /** How this batch system reads a bare number walltime (`30`): `minutes` (default; Slurm, LSF) or `seconds` (PBS, SGE). */
  readonly walltimeBareUnit?: "minutes" | "seconds";
  /** Where the scheduler listens unless configured (`127.0.0.1` for local-only backends). */
  readonly defaultSchedulerHost?: string;
  create(context: BackendContext): Backend;
}
