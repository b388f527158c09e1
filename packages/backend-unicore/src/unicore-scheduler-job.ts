import { EventEmitter } from "node:events";
import {
  DaskqError,
  parseAddress,
  renderTlsSetup,
  silentLogger,
  TimeoutError,
  tlsWorkerWords,
  type LaunchedScheduler,
  type LaunchedSchedulerEvents,
  type Logger,
  type TlsPem,
} from "@daskq/core";
import { completeDescription, shellWords, withPrecommand, type UnicoreJobDescription } from "./job-description.js";
import { jobLogTail } from "./job-log-tail.js";
import { PortForwarder } from "./port-forwarder.js";
import type { UnicoreClient, UnicoreJob } from "./unicore-client.js";

/** How long `stop()` waits for the aborted scheduler job to end. */
const STOP_TIMEOUT_MS = 30_000;

/** The scheduler file the scheduler job writes in its working directory (as pyunicore). */
export const SCHEDULER_FILE = "dask.json";

/** How to run the scheduler as a UNICORE job. */
export interface SchedulerJobOptions {
  readonly client: UnicoreClient;
  /** Tag of every job of the cluster. */
  readonly clusterId: string;
  /** The user's `scheduler-job-description`; daskq adds only what is missing. */
  readonly base: UnicoreJobDescription;
  /** The config section `base` came from (`scheduler-job-description` of it), named in errors; default `unicore`. */
  readonly section?: string;
  /** Python with distributed on the site. */
  readonly python: string;
  /** Queue, Project, Runtime, ... asked unless the base has them. */
  readonly resources: Readonly<Record<string, string>>;
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The cluster's TLS material: written on the compute node by the job's `User precommand` (see
   * `withPrecommand`), the scheduler listens on `tls://` with it, and the local forward's address
   * is `tls://` (daskq and the user's Client verify the cluster CA through it).
   */
  readonly tls?: TlsPem;
  /** Called with the job's URL as soon as UNICORE answers, before the job is started (core records it). */
  readonly onSubmitted?: (url: string) => Promise<void>;
  /** Submit INTO this allocation (its URL) with `srun --tasks=1`. */
  readonly allocationUrl?: string;
  /** Local port for daskq and the user's Client (pyunicore's `local_port`); 0 = a free one. */
  readonly localPort?: number;
  /** Forward the dashboard too, on this local port (0 = a free one). Undefined: no dashboard forward. */
  readonly dashboardPort?: number;
  /** How often the job is watched, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  /** Give up when the scheduler does not listen within this time. Default 180 000 ms. */
  readonly startTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * A Dask scheduler that is itself a UNICORE job (pyunicore's way): the job runs
 * `dask_scheduler --port 0 --scheduler-file ./dask.json`, daskq reads `dask.json` from the job's
 * working directory once it appears, and exposes the scheduler on a local port through UNICORE's
 * port forwarding. Workers connect to the scheduler's own address (`workerAddress`); daskq and
 * the user's Client connect to the local forward (`address`). If the job ends, `exit` is emitted.
 */
export class UnicoreSchedulerJob extends EventEmitter<LaunchedSchedulerEvents> implements LaunchedScheduler {
  private stopping = false;
  private watchTimer: NodeJS.Timeout | undefined;
  private lastLog = "";

  private constructor(
    private readonly options: SchedulerJobOptions,
    /** The scheduler job's URL. */
    readonly jobUrl: string,
    private job: UnicoreJob,
    readonly workerAddress: string,
    private readonly forwarder: PortForwarder,
    private readonly dashboardForwarder: PortForwarder | undefined,
  ) {
    super();
  }

  /** Submits the scheduler job, waits until it listens, and opens the local forward(s). */
  static async start(options: SchedulerJobOptions): Promise<UnicoreSchedulerJob> {
    const { client } = options;
    const logger = options.logger ?? silentLogger;
    const module = [options.python, "-m", "distributed.cli.dask_scheduler"];
    const base = withPrecommand(options.base, { tls: options.tls ? renderTlsSetup(options.tls) : [], prologue: [] }, "scheduler-job-description", options.section);
    const description = completeDescription(base, {
      command: options.allocationUrl ? ["srun", "--tasks=1", "--nodes=1", ...module] : module,
      arguments: [
        ...shellWords(["--port", "0", "--scheduler-file", `./${SCHEDULER_FILE}`, "--dashboard-address", ":0"]),
        ...(options.tls ? ["--protocol", "tls", ...tlsWorkerWords()] : []),
      ],
      environment: options.environment,
      resources: options.allocationUrl ? {} : options.resources,
      tags: [options.clusterId, "daskq-scheduler"],
      name: `${options.clusterId}-scheduler`,
    });
    const url = await client.submit(description, options.allocationUrl);
    logger.info(`scheduler job submitted: ${url}`);
    const fail = async (error: unknown): Promise<never> => {
      await client.action(url, "abort").catch(() => undefined);
      throw error;
    };
    let job: UnicoreJob;
    let info: { address: string; dashboardPort: number | undefined };
    try {
      await options.onSubmitted?.(url);
      await client.action(url, "start");
      ({ job, info } = await waitForSchedulerFile(client, url, options.startTimeoutMs ?? 180_000, options.pollIntervalMs ?? 1000));
    } catch (error) {
      return fail(error);
    }
    const forwarding = job.links["forwarding"];
    if (!forwarding) return fail(new DaskqError("unicore", `the scheduler job ${url} has no 'forwarding' link: port forwarding needs UNICORE 9.1 or later`));
    const { host, port } = parseAddress(info.address);
    let forwarder: PortForwarder | undefined;
    let dashboard: PortForwarder | undefined;
    try {
      forwarder = await PortForwarder.start({ forwardingUrl: forwarding, host, port: Number(port) }, () => client.authorization, { port: options.localPort ?? 0, logger });
      if (options.dashboardPort !== undefined && info.dashboardPort !== undefined) {
        dashboard = await PortForwarder.start({ forwardingUrl: forwarding, host, port: info.dashboardPort }, () => client.authorization, { port: options.dashboardPort, logger });
      }
    } catch (error) {
      await forwarder?.close();
      return fail(error);
    }
    logger.info(`scheduler job ${url} listens at ${info.address}; forwarded to ${forwarder.address}`);
    const scheduler = new UnicoreSchedulerJob(options, url, job, info.address, forwarder, dashboard);
    scheduler.watch();
    return scheduler;
  }

  /** Where daskq and the user's Client connect: the local end of the forward, `tls://` when the scheduler uses TLS. */
  get address(): string {
    return this.forwarder.address.replace(/^tcp:/, `${parseAddress(this.workerAddress).protocol}:`);
  }

  get dashboardLink(): string | undefined {
    return this.dashboardForwarder ? `http://127.0.0.1:${this.dashboardForwarder.port}/status` : undefined;
  }

  get forwardedThrough(): string {
    return `UNICORE port forwarding of job ${this.jobUrl}`;
  }

  get pid(): undefined {
    return undefined;
  }

  /** Forwarded connections opened so far (a dropped one is reopened by the next connection). */
  get forwardsOpened(): number {
    return this.forwarder.opened;
  }

  logTail(lines = 20): string {
    return this.lastLog.split("\n").slice(-lines).join("\n");
  }

  /** Aborts the scheduler job and closes the local forward(s). Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    await Promise.all([this.forwarder.close(), this.dashboardForwarder?.close()]);
    const job = await this.options.client.job(this.jobUrl, ["status", "statusMessage", "_links"]).catch(() => this.job);
    if (job.status === "SUCCESSFUL" || job.status === "FAILED") return;
    try {
      await this.options.client.action(job.links["action:abort"] ? job : this.jobUrl, "abort");
    } catch (error) {
      this.options.logger?.warn(`aborting the scheduler job failed: ${(error as Error).message}`);
      return;
    }
    // The scheduler closes on the abort's SIGTERM; close() returns once its job has ended.
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const now = await this.options.client.job(this.jobUrl, ["status"]).catch(() => undefined);
      if (now?.status === "SUCCESSFUL" || now?.status === "FAILED") return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.options.logger?.warn(`the scheduler job ${this.jobUrl} was aborted but has not ended after ${STOP_TIMEOUT_MS / 1000} s; check it with UNICORE`);
  }

  private watch(): void {
    const tick = async () => {
      if (this.stopping) return;
      try {
        this.job = await this.options.client.job(this.jobUrl, ["status", "statusMessage", "exitCode", "_links"]);
        if (this.job.status === "SUCCESSFUL" || this.job.status === "FAILED") {
          this.lastLog = (await jobLogTail(this.options.client, this.job, 40).catch(() => undefined)) ?? this.job.statusMessage;
          if (this.stopping) return;
          await Promise.all([this.forwarder.close(), this.dashboardForwarder?.close()]);
          this.emit("exit", { code: this.job.exitCode, signal: undefined, expected: false });
          return;
        }
      } catch (error) {
        this.options.logger?.warn(`watching the scheduler job: ${(error as Error).message}`);
      }
      this.watchTimer = setTimeout(() => void tick(), this.options.pollIntervalMs ?? 2_000);
    };
    this.watchTimer = setTimeout(() => void tick(), this.options.pollIntervalMs ?? 2_000);
  }
}

/** Polls the job until it runs and `dask.json` is in its working directory; a job that ends first is an error with its output. */
async function waitForSchedulerFile(
  client: UnicoreClient,
  url: string,
  timeoutMs: number,
  intervalMs: number,
): Promise<{ job: UnicoreJob; info: { address: string; dashboardPort: number | undefined } }> {
  const deadline = Date.now() + timeoutMs;
  let job = await client.job(url);
  while (Date.now() < deadline) {
    if (job.status === "SUCCESSFUL" || job.status === "FAILED") {
      const tail = await jobLogTail(client, job, 20).catch(() => undefined);
      throw new DaskqError("unicore", `the scheduler job ${url} ended (${job.status}) before it listened.${tail ? ` Its output:\n${tail}` : ""}`);
    }
    const workingDirectory = job.links["workingDirectory"];
    if (job.status === "RUNNING" && workingDirectory) {
      const text = await client.download(workingDirectory, SCHEDULER_FILE);
      const info = text ? parseSchedulerFile(text) : undefined;
      if (info) return { job, info };
    }
    await new Promise((r) => setTimeout(r, intervalMs));
    job = await client.job(url);
  }
  throw new TimeoutError("unicore", `waiting for the scheduler job ${url} to write ${SCHEDULER_FILE} (status ${job.status})`, timeoutMs);
}

function parseSchedulerFile(text: string): { address: string; dashboardPort: number | undefined } | undefined {
  try {
    const json = JSON.parse(text) as { address?: unknown; services?: { dashboard?: unknown } };
    if (typeof json.address !== "string") return undefined;
    const dashboard = json.services?.dashboard;
    return { address: json.address, dashboardPort: typeof dashboard === "number" ? dashboard : undefined };
  } catch {
    return undefined; // still being written
  }
}
