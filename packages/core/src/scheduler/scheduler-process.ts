import { EventEmitter } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { DaskqError, TimeoutError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { parseAddress } from "./address.js";
import type { LaunchedScheduler, LaunchedSchedulerEvents } from "./launched-scheduler.js";

/** How to launch the scheduler. */
export interface SchedulerProcessOptions {
  /** Python with `distributed` (see `findPython`). */
  readonly python: string;
  /** Address to bind (`--host`); default: distributed's own choice (all interfaces). */
  readonly host?: string;
  /** Port; 0 (default) picks a free one. */
  readonly port?: number;
  /** `--dashboard-address`; default `:0` (a free port). */
  readonly dashboardAddress?: string;
  /** Network interface to listen on, e.g. `ib0`. */
  readonly interface?: string;
  /** `tcp` (default) or `tls`. */
  readonly protocol?: string;
  /** More `dask_scheduler` arguments, passed as separate argv entries (never through a shell). */
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Give up if the scheduler is not listening after this many ms. Default 60 000. */
  readonly startTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Events of a running scheduler process. */
export type SchedulerProcessEvents = LaunchedSchedulerEvents;

/**
 * Makes the scheduler die with us: PR_SET_PDEATHSIG (Linux) survives exec, so a crashed daskq
 * never leaves an orphan scheduler behind. Elsewhere it just execs the scheduler.
 */
const LAUNCHER = [
  "import os, sys",
  "try:",
  "    import ctypes, signal",
  "    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)",
  "except Exception:",
  "    pass",
  "os.execv(sys.executable, [sys.executable, '-m', 'distributed.cli.dask_scheduler'] + sys.argv[1:])",
].join("\n");

/**
 * A `distributed` scheduler started and supervised by daskq. The real address and dashboard port
 * are read from the `--scheduler-file` the scheduler writes once it listens.
 */
export class SchedulerProcess extends EventEmitter<SchedulerProcessEvents> implements LaunchedScheduler {
  private stopping = false;
  private exitedWith: { code: number | undefined; signal: string | undefined } | undefined;
  private readonly logLines: string[] = [];

  private constructor(
    private readonly child: ResultPromise,
    /** The scheduler's private temporary directory (its scheduler file); removed by `stop()`. */
    readonly workDirectory: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** The scheduler's address, e.g. `tcp://10.0.0.1:34567`. */
  address = "";
  /** The dashboard port, when the scheduler serves a dashboard (needs bokeh). */
  dashboardPort: number | undefined;

  /** Starts a scheduler and resolves once it listens. */
  static async start(options: SchedulerProcessOptions): Promise<SchedulerProcess> {
    const logger = options.logger ?? silentLogger;
    const workDir = await mkdtemp(join(tmpdir(), "daskq-scheduler-"));
    const schedulerFile = join(workDir, "scheduler.json");
    const args = ["-c", LAUNCHER, "--scheduler-file", schedulerFile, "--port", String(options.port ?? 0)];
    args.push("--dashboard-address", options.dashboardAddress ?? ":0");
    if (options.host) args.push("--host", options.host);
    if (options.interface) args.push("--interface", options.interface);
    if (options.protocol) args.push("--protocol", options.protocol);
    args.push(...(options.extraArgs ?? []));
    logger.debug(`starting scheduler: ${options.python} -m distributed.cli.dask_scheduler ${args.slice(2).join(" ")}`);
    const child = execa(options.python, args, {
      reject: false,
      stdin: "ignore",
      env: { ...options.env, PYTHONUNBUFFERED: "1" },
      cleanup: true,
      buffer: false,
    });
    const scheduler = new SchedulerProcess(child, workDir, logger);
    scheduler.watch();
    try {
      await scheduler.waitUntilListening(schedulerFile, options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await scheduler.stop();
      throw error;
    }
    logger.info(`scheduler listening at ${scheduler.address}`);
    return scheduler;
  }

  /** Workers connect where daskq does: the scheduler runs on this machine. */
  get workerAddress(): string {
    return this.address;
  }

  /** Process id of the scheduler. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once the process has ended. */
  get exited(): boolean {
    return this.exitedWith !== undefined;
  }

  /** `http://host:port/status`, when a dashboard is served. */
  get dashboardLink(): string | undefined {
    if (this.dashboardPort === undefined || !this.address) return undefined;
    const { host } = parseAddress(this.address);
    return `http://${host.includes(":") ? `[${host}]` : host}:${this.dashboardPort}/status`;
  }

  /** The last lines the scheduler printed (for error messages). */
  logTail(lines = 20): string {
    return this.logLines.slice(-lines).join("\n");
  }

  /** Stops the scheduler: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    if (!this.exited) {
      this.child.kill("SIGTERM");
      const killer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.child.catch(() => undefined);
      clearTimeout(killer);
    }
    await rm(this.workDirectory, { recursive: true, force: true });
  }

  private watch(): void {
    const collect = (chunk: Buffer | string) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        this.logLines.push(line);
        if (this.logLines.length > 200) this.logLines.shift();
        this.logger.debug(`scheduler: ${line}`);
      }
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    void this.child.then((result) => {
      this.exitedWith = { code: result.exitCode, signal: result.signal };
      const expected = this.stopping;
      if (!expected) this.logger.error(`scheduler exited unexpectedly (code ${result.exitCode ?? "-"}, signal ${result.signal ?? "-"})`);
      this.emit("exit", { ...this.exitedWith, expected });
    });
  }

  private async waitUntilListening(schedulerFile: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitedWith) {
        throw new DaskqError(
          "scheduler",
          `the scheduler exited during start-up (code ${this.exitedWith.code ?? "-"}). Its last output:\n${this.logTail()}`,
        );
      }
      const info = await readSchedulerFile(schedulerFile);
      if (info) {
        this.address = info.address;
        this.dashboardPort = info.dashboardPort;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new TimeoutError("scheduler", `waiting for the scheduler to listen (last output: ${this.logTail(5) || "none"})`, timeoutMs);
  }
}

async function readSchedulerFile(path: string): Promise<{ address: string; dashboardPort: number | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const json = JSON.parse(text) as { address?: unknown; services?: { dashboard?: unknown } };
    if (typeof json.address !== "string") return undefined;
    const port = json.services?.dashboard;
    return { address: json.address, dashboardPort: typeof port === "number" ? port : undefined };
  } catch {
    return undefined; // written but not complete yet
  }
}
