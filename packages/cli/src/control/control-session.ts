import {
  ConfigError,
  DaskqError,
  findBackend,
  JobQueueCluster,
  listBackends,
  loadBackendConfig,
  parseBytes,
  previewJobScript,
  SHARED_KEYS,
  type AdaptOptions,
  type ConfigKey,
  type JobQueueClusterOptions,
  type Logger,
  type ScaleRequest,
  type SchedulerOptions,
} from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import type { ControlCommand, ControlError, ControlEvent } from "./protocol.js";

/** What a `create` or `job_script` command names: the backend and the job settings, as jobqueue keys. */
interface ClusterSettings {
  readonly backend: string;
  readonly configName: string | undefined;
  readonly job: Record<string, unknown>;
}

/**
 * One controlling process's session: at most one cluster, made by `create` and closed by `close`
 * or when the controller goes away (`shutDown`). Every command is answered through `reply`;
 * every cluster event goes out through `emit`.
 */
export class ControlSession {
  private cluster: JobQueueCluster | undefined;

  constructor(
    private readonly container: DependencyContainer,
    private readonly logger: Logger,
    private readonly emit: (event: ControlEvent) => void,
  ) {}

  /** Runs one command; resolves with its result, or rejects with an error `describeError` turns into a reply. */
  async handle(command: ControlCommand): Promise<unknown> {
    switch (command.op) {
      case "describe":
        return this.describe(command);
      case "job_script":
        return this.jobScript(command);
      case "create":
        return this.create(command);
      case "scale":
        await this.requireCluster().scale(scaleRequestOf(command));
        return null;
      case "adapt":
        await this.requireCluster().adapt(adaptOptionsOf(command));
        return null;
      case "stop_adapt":
        await this.requireCluster().stopAdapting();
        return null;
      case "status":
        return this.requireCluster().status();
      case "logs":
        return this.logs(command);
      case "close":
        await this.shutDown();
        return null;
      default:
        throw new UsageError(`unknown op '${command.op}'; expected describe, job_script, create, scale, adapt, stop_adapt, status, logs or close`);
    }
  }

  /** Closes the cluster, if any (cancels every job, stops the scheduler). Safe to call twice. */
  async shutDown(): Promise<void> {
    const cluster = this.cluster;
    if (cluster) await cluster.close();
  }

  /** The installed backends and every config key of one (names, aliases, kinds), for keyword checks. */
  private describe(command: ControlCommand) {
    const backends = listBackends(this.container).map((d) => d.name);
    if (command["backend"] === undefined) return { backends, keys: [] };
    const descriptor = findBackend(this.container, stringField(command, "backend"));
    const keys: ConfigKey[] = [...SHARED_KEYS, ...descriptor.configKeys];
    // Keys the config files or DASK_JOBQUEUE__* variables set: the controller leaves their defaults to them.
    const resolved = loadBackendConfig(descriptor, { configName: optionalString(command, "configName") });
    const configured = Object.entries(resolved.sources)
      .filter(([, source]) => source.kind === "file" || source.kind === "env")
      .map(([key]) => key);
    return { backends, keys: keys.map((k) => ({ name: k.name, aliases: k.aliases ?? [], kind: k.kind })), configured };
  }

  /** What `daskq job-script` prints for these settings (the same function, the same options). */
  private jobScript(command: ControlCommand): Promise<string> {
    const settings = settingsOf(command);
    return previewJobScript({
      backend: settings.backend,
      configName: settings.configName,
      job: settings.job,
      container: this.container,
      schedulerAddress: optionalString(command, "schedulerAddress"),
      logger: this.logger,
    });
  }

  private async create(command: ControlCommand) {
    if (this.cluster) throw new UsageError("this session already has a cluster; start another daskq for another cluster");
    const settings = settingsOf(command);
    const options: JobQueueClusterOptions = {
      backend: settings.backend,
      configName: settings.configName,
      job: settings.job,
      scheduler: schedulerOf(command),
      tls: tlsOf(command),
      pollIntervalMs: command["pollInterval"] === undefined ? undefined : numberField(command, "pollInterval") * 1000,
      container: this.container,
      logger: this.logger,
      handleSignals: false,
    };
    const cluster = await JobQueueCluster.create(options);
    this.cluster = cluster;
    this.follow(cluster);
    return {
      clusterId: cluster.clusterId,
      backend: cluster.backendName,
      schedulerAddress: cluster.schedulerAddress,
      dashboardLink: cluster.dashboardLink ?? null,
      tls: cluster.security ? cluster.security.files : null,
      spec: { cores: cluster.spec.cores, memory: cluster.spec.memory, processes: cluster.spec.processes, jobName: cluster.spec.jobName },
      outputDirectory: cluster.outputDirectory,
    };
  }

  /** The tails of the output of the given jobs (default: every failed one). */
  private async logs(command: ControlCommand): Promise<Record<string, string | null>> {
    const cluster = this.requireCluster();
    const lines = command["lines"] === undefined ? 20 : numberField(command, "lines");
    const ids = Array.isArray(command["jobs"])
      ? (command["jobs"] as unknown[]).map(String)
      : cluster.status().jobs.filter((j) => j.state === "failed").map((j) => j.id);
    const tails: Record<string, string | null> = {};
    for (const id of ids) tails[id] = (await cluster.jobLogTail(id, lines)) ?? null;
    return tails;
  }

  /** Passes the cluster's events on to the controller. */
  private follow(cluster: JobQueueCluster): void {
    cluster.on("job-submitted", (job, pool) => this.emit({ event: "job-submitted", job: job.id, pool }));
    cluster.on("job-running", (job, pool) => this.emit({ event: "job-running", job: job.id, pool }));
    cluster.on("job-ended", (job, pool) => this.emit({ event: "job-ended", job: job.id, state: job.state, pool }));
    cluster.on("job-failed", (job, details, pool) =>
      this.emit({ event: "job-failed", job: job.id, reason: job.reason ?? null, startFailure: details.startFailure, logTail: details.logTail ?? null, pool }),
    );
    cluster.on("worker-joined", (w, job, pool) => this.emit({ event: "worker-joined", name: w.name, address: w.address, job, pool }));
    cluster.on("worker-left", (w, job, pool) => this.emit({ event: "worker-left", name: w.name, address: w.address, job, pool }));
    cluster.on("scale-decision", (d) => {
      if (d.action !== "same") this.emit({ event: "scale-decision", action: d.action, reason: d.reason });
    });
    cluster.on("cluster-error", (error, pool) => this.emit({ event: "cluster-error", message: error.message, pool: pool ?? null }));
    cluster.on("closed", () => this.emit({ event: "closed" }));
  }

  private requireCluster(): JobQueueCluster {
    if (!this.cluster) throw new UsageError("no cluster yet: send create first");
    return this.cluster;
  }
}

/** A malformed command: the controller's bug, not the user's configuration. */
export class UsageError extends DaskqError {
  constructor(message: string) {
    super("control", message);
  }
}

/** The reply's error for what a command threw. */
export function describeError(error: unknown): ControlError {
  if (error instanceof ConfigError) return { type: "config", message: error.message, ...(error.keyPath ? { keyPath: error.keyPath } : {}) };
  if (error instanceof UsageError) return { type: "usage", message: error.message };
  if (error instanceof DaskqError) return { type: "daskq", message: error.message };
  return { type: "internal", message: (error as Error)?.stack ?? String(error) };
}

function settingsOf(command: ControlCommand): ClusterSettings {
  const job = command["job"] ?? {};
  if (typeof job !== "object" || job === null || Array.isArray(job)) throw new UsageError("job must be an object of jobqueue keys");
  return { backend: optionalString(command, "backend") ?? "local", configName: optionalString(command, "configName"), job: job as Record<string, unknown> };
}

/** `tls`: absent (daskq's own certificates), false (plain TCP) or the user's files `{ca, cert, key}`. */
function tlsOf(command: ControlCommand): JobQueueClusterOptions["tls"] {
  const given = command["tls"];
  if (given === undefined || given === null) return undefined;
  if (given === false) return false;
  if (typeof given === "object" && !Array.isArray(given)) return given as { ca: string; cert: string; key: string };
  throw new UsageError(`tls must be false or {"ca", "cert", "key"}, got ${JSON.stringify(given)}`);
}

function schedulerOf(command: ControlCommand): SchedulerOptions | undefined {
  const given = command["scheduler"];
  if (given === undefined || given === null) return undefined;
  if (typeof given !== "object" || Array.isArray(given)) throw new UsageError("scheduler must be an object");
  return given as SchedulerOptions;
}

/** `{"op": "scale", "workers": 4}`, or jobs, cores, memory (bytes or a string like "16GB"). */
function scaleRequestOf(command: ControlCommand): ScaleRequest & { pool?: string } {
  const kinds = (["workers", "jobs", "cores", "memory"] as const).filter((k) => command[k] !== undefined && command[k] !== null);
  if (kinds.length !== 1) throw new UsageError(`scale takes exactly one of workers, jobs, cores or memory; got ${kinds.join(", ") || "none"}`);
  const kind = kinds[0] as "workers" | "jobs" | "cores" | "memory";
  const raw = command[kind];
  const value = kind === "memory" && typeof raw === "string" ? parseBytes(raw) : numberField(command, kind);
  const pool = optionalString(command, "pool");
  return { [kind]: value, ...(pool ? { pool } : {}) } as ScaleRequest & { pool?: string };
}

/** Adaptive bounds (workers, jobs, cores, memory) and Dask's policy settings, in seconds where they are times. */
function adaptOptionsOf(command: ControlCommand): AdaptOptions {
  const bounds = ["minimum", "maximum", "minimumJobs", "maximumJobs", "minimumCores", "maximumCores"] as const;
  const options: Record<string, number> = {};
  for (const key of bounds) if (command[key] !== undefined && command[key] !== null) options[key] = numberField(command, key);
  for (const key of ["minimumMemory", "maximumMemory"] as const) {
    const raw = command[key];
    if (raw !== undefined && raw !== null) options[key] = typeof raw === "string" ? parseBytes(raw) : numberField(command, key);
  }
  if (command["interval"] !== undefined) options["interval"] = numberField(command, "interval") * 1000;
  if (command["targetDuration"] !== undefined) options["targetDuration"] = numberField(command, "targetDuration");
  if (command["waitCount"] !== undefined) options["waitCount"] = numberField(command, "waitCount");
  return options;
}

function stringField(command: ControlCommand, key: string): string {
  const value = command[key];
  if (typeof value !== "string") throw new UsageError(`${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function optionalString(command: ControlCommand, key: string): string | undefined {
  return command[key] === undefined || command[key] === null ? undefined : stringField(command, key);
}

function numberField(command: ControlCommand, key: string): number {
  const value = command[key];
  if (typeof value !== "number" || !Number.isFinite(value)) throw new UsageError(`${key} must be a number, got ${JSON.stringify(value)}`);
  return value;
}
