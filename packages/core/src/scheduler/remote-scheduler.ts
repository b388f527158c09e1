import { EventEmitter } from "node:events";
import { posix } from "node:path";
import { DaskqError, TimeoutError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import type { CommandRunner, LocalForward } from "../runner/command-runner.js";
import { formatAddress, parseAddress } from "./address.js";
import type { LaunchedScheduler, LaunchedSchedulerEvents } from "./launched-scheduler.js";

/** How to launch a scheduler on the runner's machine (a login node). */
export interface RemoteSchedulerOptions {
  /** A runner that reaches another machine (it must offer `forwardLocalPort`). */
  readonly runner: CommandRunner;
  /** Python with `distributed` ON THAT MACHINE (see `pythonWithDask`). */
  readonly python: string;
  /** `--host`; default: distributed's choice (all interfaces, announced by the machine's address). */
  readonly host?: string;
  /** Port; 0 (default) picks a free one. */
  readonly port?: number;
  /** `--dashboard-address`; default `:0`. */
  readonly dashboardAddress?: string;
  readonly interface?: string;
  readonly protocol?: string;
  readonly extraArgs?: readonly string[];
  /**
   * The scheduler stops by itself when daskq has not renewed its lease for this long (daskq killed,
   * laptop gone): its workers then time out and their jobs end. Default 300 s; daskq renews every 10 s
   * and survives SSH outages shorter than this.
   */
  readonly leaseSeconds?: number;
  /** Default 60 000. */
  readonly startTimeoutMs?: number;
  readonly logger?: Logger;
}

/**
 * Runs on the remote machine: detaches (new session, output to a log), starts the scheduler, forwards
 * SIGTERM/SIGINT to it, stops it when the lease file is older than the lease, and records its exit
 * code in exit.json. Prints its own pid (what `kill` is sent to) and exits at once.
 */
const LAUNCHER = String.raw`import json, os, signal, subprocess, sys, time
work, lease_seconds, args = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid > 0:
    print(pid, flush=True)
    os._exit(0)
os.setsid()
log = os.open(os.path.join(work, "scheduler.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(devnull, 0); os.dup2(log, 1); os.dup2(log, 2)
child = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler"] + args)
signal.signal(signal.SIGTERM, lambda s, f: child.send_signal(signal.SIGTERM))
signal.signal(signal.SIGINT, lambda s, f: child.send_signal(signal.SIGTERM))
signal.signal(signal.SIGHUP, signal.SIG_IGN)
lease = os.path.join(work, "lease")
reason, stopping_since = None, None
while child.poll() is None:
    time.sleep(1)
    try:
        age = time.time() - os.path.getmtime(lease)
    except OSError:
        age = 0
    if reason is None and age > lease_seconds:
        reason = "daskq's lease expired (%.0f s without word from daskq)" % age
        print("daskq launcher: " + reason + "; stopping the scheduler", flush=True)
        child.terminate()
        stopping_since = time.time()
    if stopping_since is not None and time.time() - stopping_since > 10:
        child.kill()
code = child.wait()
with open(os.path.join(work, "exit.json.tmp"), "w") as f:
    json.dump({"code": code, "reason": reason}, f)
os.rename(os.path.join(work, "exit.json.tmp"), os.path.join(work, "exit.json"))
`;

/**
 * A Dask scheduler on the login node, started through the runner (`python -m
 * distributed.cli.dask_scheduler`, detached so that it outlives a dropped SSH connection), its
 * address read from its `--scheduler-file` over SFTP, and reached from here through an SSH local
 * port forward. Workers connect to its own address (`workerAddress`); daskq and the user's Client
 * to the forward (`address`). It dies when `stop()` is called, or on its own when daskq stops
 * renewing its lease.
 */
export class RemoteScheduler extends EventEmitter<LaunchedSchedulerEvents> implements LaunchedScheduler {
  private stopping = false;
  private exited = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastLog = "";
  private readonly forwards: LocalForward[] = [];

  address = "";
  workerAddress = "";
  dashboardLink: string | undefined;
  /** The scheduler runs elsewhere: no local pid. */
  readonly pid = undefined;

  /** The runner's SSH connection carries the forward. */
  get forwardedThrough(): string {
    return this.runner.description;
  }
  /** Pid of the launcher on the remote machine (it forwards signals to the scheduler). */
  remotePid: number | undefined;

  private constructor(
    private readonly runner: CommandRunner,
    private readonly workDir: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Starts the scheduler remotely and resolves once it listens and the forward is open. */
  static async start(options: RemoteSchedulerOptions): Promise<RemoteScheduler> {
    const { runner } = options;
    if (!runner.forwardLocalPort) throw new DaskqError("scheduler", `scheduler placement "remote" needs a runner that reaches another machine (e.g. --ssh); ${runner.description} does not`);
    const logger = options.logger ?? silentLogger;
    const workDir = await runner.makeTempDir("daskq-scheduler-");
    const scheduler = new RemoteScheduler(runner, workDir, logger);
    try {
      await scheduler.launch(options);
      await scheduler.waitUntilListening(options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await scheduler.stop();
      throw error;
    }
    logger.info(`scheduler listening at ${scheduler.workerAddress} on ${runner.description}, reached here at ${scheduler.address}`);
    return scheduler;
  }

  logTail(lines = 20): string {
    return this.lastLog.trimEnd().split("\n").slice(-lines).join("\n");
  }

  /** Stops the scheduler (SIGTERM, then SIGKILL), closes the forwards and removes the remote directory. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeat);
    try {
      if (this.remotePid !== undefined && !this.exited) {
        const pid = String(this.remotePid);
        await this.runner.run("kill", ["-TERM", pid]);
        const deadline = Date.now() + graceMs;
        while (!(await this.readExit()) && Date.now() < deadline) await sleep(250);
        if (!this.exited) await this.runner.run("kill", ["-KILL", pid]);
      }
      await this.runner.run("rm", ["-rf", "--", this.workDir]);
    } catch (error) {
      this.logger.warn(`could not stop the remote scheduler cleanly (${(error as Error).message}); it stops by itself when its lease runs out`);
    }
    await Promise.all(this.forwards.map((f) => f.close()));
  }

  private async launch(options: RemoteSchedulerOptions): Promise<void> {
    const launcher = posix.join(this.workDir, "launcher.py");
    await this.runner.writeFile(launcher, LAUNCHER, { mode: 0o600 });
    await this.renewLease();
    const args = ["--scheduler-file", posix.join(this.workDir, "scheduler.json"), "--port", String(options.port ?? 0)];
    args.push("--dashboard-address", options.dashboardAddress ?? ":0");
    if (options.host) args.push("--host", options.host);
    if (options.interface) args.push("--interface", options.interface);
    if (options.protocol) args.push("--protocol", options.protocol);
    args.push(...(options.extraArgs ?? []));
    this.logger.debug(`starting scheduler on ${this.runner.description}: ${options.python} -m distributed.cli.dask_scheduler ${args.join(" ")}`);
    const result = await this.runner.run(options.python, [launcher, this.workDir, String(options.leaseSeconds ?? 300), ...args], { timeoutMs: 30_000 });
    const pid = Number(result.stdout.trim());
    if (result.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
      throw new DaskqError("scheduler", `could not start the scheduler on ${this.runner.description} with ${options.python} (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim() || "no output"}`);
    }
    this.remotePid = pid;
  }

  private async waitUntilListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const exit = await this.readExit();
      if (exit) {
        this.lastLog = (await this.runner.readFile(posix.join(this.workDir, "scheduler.log")).catch(() => undefined)) ?? "";
        throw new DaskqError("scheduler", `the scheduler exited during start-up on ${this.runner.description} (code ${exit.code ?? "-"}). Its last output:\n${this.logTail()}`);
      }
      const info = parseSchedulerFile(await this.runner.readFile(posix.join(this.workDir, "scheduler.json")));
      if (info) {
        await this.openForwards(info.address, info.dashboardPort);
        this.heartbeat = setInterval(() => void this.beat(), 10_000);
        this.heartbeat.unref();
        return;
      }
      await sleep(200);
    }
    this.lastLog = (await this.runner.readFile(posix.join(this.workDir, "scheduler.log")).catch(() => undefined)) ?? "";
    throw new TimeoutError("scheduler", `waiting for the scheduler on ${this.runner.description} to listen (last output: ${this.logTail(5) || "none"})`, timeoutMs);
  }

  private async openForwards(address: string, dashboardPort: number | undefined): Promise<void> {
    const forward = this.runner.forwardLocalPort as NonNullable<CommandRunner["forwardLocalPort"]>;
    const own = parseAddress(address);
    const scheduler = await forward.call(this.runner, own.host, own.port);
    this.forwards.push(scheduler);
    this.workerAddress = address;
    this.address = formatAddress({ ...own, host: scheduler.host, port: scheduler.port });
    if (dashboardPort !== undefined) {
      const dashboard = await forward.call(this.runner, own.host, dashboardPort);
      this.forwards.push(dashboard);
      this.dashboardLink = `http://${dashboard.host}:${dashboard.port}/status`;
    }
  }

  /** Renews the lease and notices an exit; an SSH outage only delays it. */
  private async beat(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.renewLease();
      const exit = await this.readExit();
      if (!exit || this.stopping) return;
      clearInterval(this.heartbeat);
      this.lastLog = (await this.runner.readFile(posix.join(this.workDir, "scheduler.log")).catch(() => undefined)) ?? "";
      this.logger.error(`the scheduler on ${this.runner.description} exited unexpectedly (code ${exit.code ?? "-"}${exit.reason ? `: ${exit.reason}` : ""})`);
      this.emit("exit", { code: exit.code, signal: undefined, expected: false });
    } catch (error) {
      this.logger.debug(`scheduler heartbeat: ${(error as Error).message}`);
    }
  }

  private renewLease(): Promise<void> {
    return this.runner.writeFile(posix.join(this.workDir, "lease"), `${new Date().toISOString()}\n`, { mode: 0o600 });
  }

  private async readExit(): Promise<{ code: number | undefined; reason: string | undefined } | undefined> {
    const text = await this.runner.readFile(posix.join(this.workDir, "exit.json"));
    if (text === undefined) return undefined;
    this.exited = true;
    try {
      const json = JSON.parse(text) as { code?: unknown; reason?: unknown };
      return { code: typeof json.code === "number" ? json.code : undefined, reason: typeof json.reason === "string" ? json.reason : undefined };
    } catch {
      return { code: undefined, reason: undefined };
    }
  }
}

function parseSchedulerFile(text: string | undefined): { address: string; dashboardPort: number | undefined } | undefined {
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as { address?: unknown; services?: { dashboard?: unknown } };
    if (typeof json.address !== "string") return undefined;
    const port = json.services?.dashboard;
    return { address: json.address, dashboardPort: typeof port === "number" ? port : undefined };
  } catch {
    return undefined; // written but not complete yet
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
