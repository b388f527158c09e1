import type { ConfigKey } from "../config/config-key.js";
import type { JobSpec } from "../job/job-spec.js";
import type { JobState } from "../job/job-state.js";
import type { WorkerLaunch } from "../job/worker-command.js";
import type { CommandRunner } from "../runner/command-runner.js";
import type { Logger } from "../logger.js";
import type { LaunchedScheduler } from "../scheduler/launched-scheduler.js";
import type { TlsPem } from "../security/cluster-certificates.js";

/** What a backend can do beyond the required contract. */
export interface BackendCapabilities {
  /** n identical jobs can be submitted in ONE operation (an array job, a bulk job, an instance count). */
  readonly arrays: boolean;
}

/** How a job in an array learns its index (only backends whose workers name themselves from it). */
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
  /**
   * The directory the job's output goes to, decided by core once per cluster (`log-directory`, else
   * a directory daskq owns for the cluster). Undefined only when a script is previewed outside a
   * cluster without `log-directory` (`daskq job-script`): then render no output directive.
   */
  readonly outputDirectory?: string | undefined;
}

/** For backends that submit job SCRIPTS: how their header is written. Used after `prepare()`. */
export interface ScriptFormat {
  /** Prefix of header directives, e.g. `#SBATCH`; empty for scripts without directives. */
  readonly directivePrefix: string;
  /** The generated header lines (with prefix), before `job-extra-directives` and `job-directives-skip`. */
  header(spec: JobSpec, context: HeaderContext): string[];
}

/** One submission of `count` identical jobs (count > 1 only with `capabilities.arrays`). */
export interface SubmitRequest {
  /** The validated job: cores, memory, processes, walltime, queue, env, backend options, ... */
  readonly spec: JobSpec;
  /** The worker each job starts, structured (argv without a shell). */
  readonly worker: WorkerLaunch;
  /** Number of jobs: 1, or n in ONE operation when `capabilities.arrays`. */
  readonly count: number;
  /** For arrays: at most this many run at once (Slurm `%limit`). */
  readonly maxRunning?: number;
  /** Where job output goes (the same directory the script's header names). */
  readonly outputDirectory: string;
  /** The full job script (shebang, header, env, prologue, worker, epilogue), when the backend has `script`. */
  readonly script?: string;
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
 * A batch system (or cluster manager) seen by daskq, whatever its transport: a command line run by a
 * `CommandRunner`, an HTTP API, a C library. Every backend passes the conformance suite of
 * `@daskq/testing`. See docs/custom-backend.md.
 */
export interface Backend {
  /** Registry name, e.g. `slurm`. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Required when `capabilities.arrays` is true and workers name themselves by the array index. */
  readonly arrayIndex?: ArrayIndex | undefined;
  /** Present for backends that submit job scripts: core then renders `SubmitRequest.script`. */
  readonly script?: ScriptFormat | undefined;
  /** Once per cluster, before the first header or submit: discovery that needs I/O. Idempotent. */
  prepare?(): Promise<void>;
  /**
   * Submits `count` jobs in as few operations as the system allows and resolves their ids, in array
   * index order. From here on the backend remembers what it needs about each job (its output, ...).
   */
  submit(request: SubmitRequest): Promise<string[]>;
  /**
   * The state of many jobs in ONE operation. Ids the system does not know are absent from the map
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
  /**
   * The last `lines` lines of a job's output (stdout and stderr as the system keeps them), shown
   * when the job fails; undefined when there is none or the job is unknown.
   */
  logTail(id: string, lines: number): Promise<string | undefined>;
  /**
   * Takes over a job this process did not submit (`daskq logs`, a watchdog), as if `submit` had
   * returned `id` for a request with this spec and output directory: `logTail` answers for it then.
   */
  adoptJob?(id: string, request: Pick<SubmitRequest, "spec" | "outputDirectory">): void;
  /**
   * The job id a worker belongs to, for systems that choose the WORKER's name themselves (Marathon:
   * `$MESOS_TASK_ID`). Without it core maps names it gave (`<job name>`, `<job name>-<i>`).
   */
  jobOfWorker?(workerName: string): string | undefined;
  /**
   * For `scheduler-placement: job`: starts the Dask scheduler as a job of this system (UNICORE) and
   * resolves once it listens and daskq can reach it (its `address` may be a local forward). Core
   * calls `prepare()` first, and this before any submit; `close()` must stop it too.
   */
  launchScheduler?(request: SchedulerLaunchRequest): Promise<LaunchedScheduler>;
  /** Releases resources (temp files, connections). */
  close?(): Promise<void>;
}

/** What core gives `Backend.launchScheduler`. */
export interface SchedulerLaunchRequest {
  /** The resolved job spec: the python on the compute nodes, queue, account, walltime, env. */
  readonly spec: JobSpec;
  /**
   * The cluster's TLS material (PEM) when TLS is on: the scheduler job presents this certificate
   * and listens on `tls://`, so the `address` it resolves to is `tls://` too.
   */
  readonly tls?: TlsPem;
  /**
   * To be called with the scheduler job's id the moment the system answers, before anything else:
   * core records it, so that a watchdog cancels the scheduler job when daskq dies.
   */
  readonly onSubmitted: (jobId: string) => Promise<void>;
  readonly logger: Logger;
}

/** What a backend gets when it is created. */
export interface BackendContext {
  /** Where commands run: this machine or a login node over SSH (command-line backends). */
  readonly runner: CommandRunner;
  readonly logger: Logger;
  /** The validated backend-specific config keys (`JobSpec.backendOptions`), e.g. `{ arrays: false }`. */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * The config section `options` were read from (`slurm` for `jobqueue.slurm`, or a pool's own such as
   * `slurm-gpu`); errors about them name keys under it. Unset (a backend rebuilt from a state file, a
   * test): the backend's name.
   */
  readonly section?: string;
  /** Unique id of the cluster (e.g. `daskq-3f9a`): tag jobs or name apps with it to find them again. */
  readonly clusterId: string;
  /**
   * True when the backend is made only to render a job script (`previewJobScript`, `daskq
   * job-script`): nothing will be submitted, so `prepare()` may fall back to a documented default
   * (and say so through the logger) where a discovery fails, instead of throwing.
   */
  readonly preview?: boolean;
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
  /**
   * Backend-specific config keys beyond the shared ones: `defineOptions({...}).keys`, whose schemas the
   * loader checks each value with (plain `ConfigKey` objects work too, checked by their kind alone).
   */
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
