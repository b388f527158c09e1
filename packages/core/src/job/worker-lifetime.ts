import type { JobSpec } from "./job-spec.js";

/** The default `lifetime-margin`: a fifth of the walltime, at most this many seconds. */
const DEFAULT_MARGIN_CAP_SECONDS = 300;

/**
 * When the workers of a job with a walltime retire, so that the batch system never kills them
 * (dask-jobqueue #122, #416). All values in seconds, counted from the start of the worker.
 *
 * The worker gets `--lifetime <lifetime>s --lifetime-stagger <stagger>s`: distributed closes it
 * gracefully (its data moves to the other workers) after a random time in lifetime ± stagger, so
 * at the latest `walltime - margin` after it started. daskq's rotation (see `WalltimeRotation`)
 * submits the job's replacement and retires the workers itself before that; the lifetime is what
 * holds when daskq is gone.
 */
export interface WorkerLifetime {
  /** The job's walltime. */
  readonly walltime: number;
  /** The workers are gone this long before the walltime. */
  readonly margin: number;
  /** `--lifetime-stagger`. */
  readonly stagger: number;
  /** `--lifetime`: `walltime - margin - stagger`. */
  readonly lifetime: number;
  /**
   * The user's `worker-extra-args` hold their own `--lifetime`: it wins, and daskq adds no
   * `--lifetime` nor `--lifetime-stagger` (it still rotates the job before `walltime - margin`).
   */
  readonly userLifetime: boolean;
}

/** The `lifetime-margin` used when none is configured, for a walltime of `walltime` seconds. */
export function defaultLifetimeMargin(walltime: number): number {
  return Math.min(DEFAULT_MARGIN_CAP_SECONDS, Math.floor(walltime / 5));
}

/** True when worker arguments hold `--lifetime` (or `--lifetime=<value>`). */
export function hasLifetimeArgument(args: readonly string[]): boolean {
  return args.some((arg) => arg === "--lifetime" || arg.startsWith("--lifetime="));
}

/**
 * The rotation of the workers of `spec`: undefined when the job has no walltime or
 * `lifetime-margin` is 0 (no rotation). The config loader has checked that the margin and the
 * stagger leave a positive lifetime (`resolveJobSpec`).
 */
export function workerLifetime(spec: JobSpec): WorkerLifetime | undefined {
  const { walltime } = spec;
  if (walltime === undefined || walltime <= 0) return undefined;
  const margin = spec.lifetimeMargin ?? defaultLifetimeMargin(walltime);
  if (margin <= 0) return undefined;
  const stagger = spec.lifetimeStagger ?? 0;
  return { walltime, margin, stagger, lifetime: walltime - margin - stagger, userLifetime: hasLifetimeArgument(spec.workerExtraArgs) };
}

/** The worker arguments daskq adds for `lifetime`: none when the user set their own `--lifetime`. */
export function lifetimeArguments(lifetime: WorkerLifetime | undefined): string[] {
  if (!lifetime || lifetime.userLifetime) return [];
  const args = ["--lifetime", `${lifetime.lifetime}s`];
  if (lifetime.stagger > 0) args.push("--lifetime-stagger", `${lifetime.stagger}s`);
  return args;
}
