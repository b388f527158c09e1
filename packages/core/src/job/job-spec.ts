/**
 * Everything needed to render one worker job, fully resolved and validated.
 * Produced by the config loader from files, env and options (see `resolveJobSpec`).
 */
export interface JobSpec {
  /** Batch job name (`name` in jobqueue.yaml), e.g. `dask-worker`. */
  readonly jobName: string;
  /** Total cores per job. */
  readonly cores: number;
  /** Total memory per job, in bytes. */
  readonly memory: number;
  /** Dask worker processes per job; each gets cores/processes threads. */
  readonly processes: number;
  /** Python interpreter used on the compute nodes to start workers. */
  readonly python: string;
  /** Network interface for the workers (`--interface`), e.g. `ib0`. */
  readonly interface: string | undefined;
  /** Seconds a worker waits for an unreachable scheduler before it exits. */
  readonly deathTimeout: number;
  /** Worker scratch directory (`--local-directory`). */
  readonly localDirectory: string | undefined;
  /** Python module started with `-m`; default `distributed.cli.dask_worker`. */
  readonly workerCommand: string;
  /** Extra arguments appended to the worker command. */
  readonly workerExtraArgs: readonly string[];
  /** Run workers under a nanny (`--nanny`) or not (`--no-nanny`). */
  readonly nanny: boolean;
  /** Shell lines run before the worker starts (e.g. `module load python`). */
  readonly prologue: readonly string[];
  /** Shell lines run after the worker exits. */
  readonly epilogue: readonly string[];
  /** Extra batch directives, without the directive prefix (e.g. `--exclusive`). */
  readonly extraDirectives: readonly string[];
  /** Substrings: generated header lines containing any of them are dropped. */
  readonly directivesSkip: readonly string[];
  /** Directory for the batch system's job output files. */
  readonly logDirectory: string | undefined;
  /** First line of the job script. */
  readonly shebang: string;
  /** Wall-clock limit in seconds, if any. */
  readonly walltime: number | undefined;
  /**
   * Walltime rotation: seconds before the walltime by which the workers are gone (see `workerLifetime`).
   * Undefined: the default (a fifth of the walltime, at most 300 s); 0: no rotation.
   */
  readonly lifetimeMargin?: number | undefined;
  /** Walltime rotation: `--lifetime-stagger` of the workers, seconds (default 0). */
  readonly lifetimeStagger?: number | undefined;
  /** Queue / partition. */
  readonly queue: string | undefined;
  /** Account / project to charge. */
  readonly account: string | undefined;
  /** Environment variables exported at the top of the job script. */
  readonly env: Readonly<Record<string, string>>;
  /** Backend-specific keys (e.g. `job-cpu`, `resource-spec`), kebab-case, already validated. */
  readonly backendOptions: Readonly<Record<string, unknown>>;
}
