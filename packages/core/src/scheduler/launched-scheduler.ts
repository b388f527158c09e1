import type { EventEmitter } from "node:events";

/** Events of a scheduler daskq launched, wherever it runs. */
export interface LaunchedSchedulerEvents {
  /** The scheduler ended; `expected` is true when `stop()` asked for it. */
  exit: [info: { code: number | undefined; signal: string | undefined; expected: boolean }];
}

/**
 * What core needs from a Dask scheduler that daskq launched, wherever it runs: a local process
 * (`SchedulerProcess`), a process on a login node reached through an SSH forward (`RemoteScheduler`),
 * or a batch/UNICORE job reached through that system's port forwarding.
 *
 * Two addresses, because over a tunnel they differ: daskq's own RPC and the user's `Client` use
 * `address` (maybe a local forward such as `tcp://127.0.0.1:40123`); the worker jobs use
 * `workerAddress`, the scheduler's own address on its network.
 */
export interface LaunchedScheduler extends EventEmitter<LaunchedSchedulerEvents> {
  /** Where daskq and the user's `Client` connect, e.g. `tcp://127.0.0.1:40123`. */
  readonly address: string;
  /** Where the workers connect: the scheduler's own address, e.g. `tcp://10.1.2.3:34567`. */
  readonly workerAddress: string;
  /** The dashboard URL reachable from daskq's machine, when the scheduler serves one. */
  readonly dashboardLink: string | undefined;
  /**
   * What carries `address` to `workerAddress` when they differ, for people (`daskq up` prints it):
   * e.g. `ssh login1` or `UNICORE port forwarding of job https://…/jobs/6e0c…`.
   */
  readonly forwardedThrough?: string;
  /** Process id, for a scheduler that is a local process; undefined otherwise. */
  readonly pid: number | undefined;
  /** The last lines the scheduler printed (for error messages); may be empty when not known. */
  logTail(lines?: number): string;
  /** Stops the scheduler and releases what reaches it (forwards, files). Safe to call twice. */
  stop(): Promise<void>;
}
