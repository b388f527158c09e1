import {
  AuthenticationError,
  configKeyPath,
  renderTlsSetup,
  shellQuote,
  silentLogger,
  workerShellWords,
  type Backend,
  type BackendCapabilities,
  type JobSpec,
  type JobStatus,
  type LaunchedScheduler,
  type Logger,
  type SchedulerLaunchRequest,
  type SubmitRequest,
} from "@daskq/core";
import { completeDescription, unicoreMemory, unicoreRuntime, withPrecommand, type UnicoreJobDescription } from "./job-description.js";
import { jobLogTail } from "./job-log-tail.js";
import { UnicoreClient, type UnicoreJob } from "./unicore-client.js";
import { resolveCredentials } from "./unicore-credentials.js";
import { UnicoreError } from "./unicore-error.js";
import { requireUrl, type UnicoreOptions } from "./unicore-options.js";
import { UnicoreSchedulerJob } from "./unicore-scheduler-job.js";
import { jobStatusOf } from "./unicore-status.js";

/** Jobs whose properties are read at once during a status poll. */
const STATUS_CONCURRENCY = 8;

/**
 * The UNICORE backend: each worker job is a UNICORE job, tagged with the cluster id, submitted
 * held (`haveClientStageIn`) so that its URL is recorded before it is started through its
 * `action:start` link. Status costs ONE jobs-list request filtered by the cluster's tag per poll,
 * plus one small property read (`?fields=status,...`) per live job, because UNICORE's jobs list
 * carries job URLs only. Cancel is `action:abort`; close aborts every job of the cluster.
 */
export class UnicoreBackend implements Backend {
  readonly name = "unicore";
  readonly capabilities: BackendCapabilities = { arrays: false };
  private connection: Promise<UnicoreClient> | undefined;
  private prepared: Promise<void> | undefined;
  /** Job id (the UUID at the end of its URL) -> URL, recorded the moment UNICORE answers. */
  private readonly urls = new Map<string, string>();
  private readonly terminal = new Map<string, JobStatus>();
  private allocationUrl: string | undefined;
  private ownsAllocation = false;
  private allocationNodes: number | undefined;
  private warnedNodes = false;
  private scheduler: UnicoreSchedulerJob | undefined;

  constructor(
    private readonly options: UnicoreOptions,
    private readonly clusterId: string,
    private readonly logger: Logger = silentLogger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /**
   * Checks the credentials against the server (`GET {base}`) BEFORE anything is submitted: wrong
   * ones fail here with a clear message. Creates the allocation when one is configured.
   */
  prepare(): Promise<void> {
    this.prepared ??= this.doPrepare().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  /**
   * With `scheduler-placement: job`: the scheduler as a UNICORE job (with the job spec's python,
   * queue, project and walltime unless `scheduler-job-description` says otherwise), reached through
   * a local forward; with TLS it presents the cluster's certificate (`request.tls`).
   */
  async launchScheduler(request: SchedulerLaunchRequest): Promise<LaunchedScheduler> {
    await this.prepare();
    const { spec } = request;
    this.scheduler = await UnicoreSchedulerJob.start({
      client: await this.connect(),
      clusterId: this.clusterId,
      base: this.options.schedulerJobDescription,
      section: this.options.section,
      python: spec.python,
      resources: baseResources(spec),
      environment: spec.env,
      ...(request.tls ? { tls: request.tls } : {}),
      onSubmitted: (url) => request.onSubmitted(idOf(url)),
      allocationUrl: this.allocationUrl,
      localPort: this.options.localPort,
      dashboardPort: this.options.connectDashboard ? this.options.dashboardPort : undefined,
      logger: this.logger,
    });
    return this.scheduler;
  }

  async submit(request: SubmitRequest): Promise<string[]> {
    await this.prepare();
    const client = await this.connect();
    this.warnIfMoreJobsThanNodes(request.count);
    const ids: string[] = [];
    for (let i = 0; i < request.count; i++) {
      const name = request.worker.naming.kind === "fixed" ? request.worker.naming.name : `${request.worker.naming.base}-${i}`;
      const url = await client.submit(this.workerDescription(request, name), this.allocationUrl);
      const id = idOf(url);
      this.urls.set(id, url);
      ids.push(id);
      try {
        await client.action(url, "start");
      } catch (error) {
        await client.action(url, "abort").catch(() => undefined);
        throw error;
      }
    }
    return ids;
  }

  async status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const report = new Map<string, JobStatus>();
    if (ids.length === 0) return report;
    const client = await this.connect();
    const listed = new Set((await client.listJobs([this.clusterId])).map(idOf));
    const live: string[] = [];
    for (const id of ids) {
      const known = this.terminal.get(id);
      if (known) report.set(id, known);
      else if (listed.has(id)) live.push(id);
    }
    await mapLimited(live, STATUS_CONCURRENCY, async (id) => {
      try {
        const job = await client.job(this.urlOf(client, id), ["status", "statusMessage", "exitCode"]);
        const status = jobStatusOf(job);
        report.set(id, status);
        if (status.state !== "queued" && status.state !== "running") this.terminal.set(id, status);
      } catch (error) {
        if (!(error instanceof UnicoreError && error.status === 404)) throw error;
      }
    });
    return report;
  }

  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const client = await this.connect();
    await mapLimited([...ids], STATUS_CONCURRENCY, async (id) => {
      try {
        await client.action(this.urlOf(client, id), "abort");
      } catch (error) {
        if (!isHarmlessAbortError(error)) throw error;
      }
    });
  }

  async logTail(id: string, lines: number): Promise<string | undefined> {
    const client = await this.connect();
    try {
      return await jobLogTail(client, await client.job(this.urlOf(client, id)), lines);
    } catch (error) {
      if (error instanceof UnicoreError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Aborts every job of the cluster still alive (found by its tag), and an allocation daskq created. */
  async close(): Promise<void> {
    if (!this.connection) return;
    const client = await this.connection.catch(() => undefined);
    if (!client) return;
    await this.scheduler?.stop();
    const urls = await client.listJobs([this.clusterId]).catch(() => [...this.urls.values()]);
    await mapLimited(urls, STATUS_CONCURRENCY, async (url) => {
      const job = await client.job(url, ["status", "_links"]).catch(() => undefined);
      if (job && job.status !== "SUCCESSFUL" && job.status !== "FAILED") await client.action(job, "abort").catch(() => undefined);
    });
    if (this.ownsAllocation && this.allocationUrl) await client.action(this.allocationUrl, "abort").catch(() => undefined);
  }

  private async doPrepare(): Promise<void> {
    await this.connect();
    if (this.options.allocationUrl) await this.useAllocation(this.options.allocationUrl, false);
    else if (this.options.allocation) await this.createAllocation(this.options.allocation);
  }

  /**
   * The client, once the server accepted the credentials as a user (`GET {base}`). Status, cancel
   * and logTail need only this, so a backend rebuilt to clean up after a crashed daskq works
   * without creating an allocation.
   */
  private connect(): Promise<UnicoreClient> {
    this.connection ??= this.checkCredentials().catch((error: unknown) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  private async checkCredentials(): Promise<UnicoreClient> {
    const url = requireUrl(this.options);
    const client = new UnicoreClient({ baseUrl: url, credentials: resolveCredentials(this.options.credentials, this.env) });
    let identity;
    try {
      identity = await client.identity();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new AuthenticationError("unicore", `UNICORE at ${url} refused the credentials (${client.credentialsDescription}): ${error.message.replace(/^\[daskq:unicore\] /, "")}`);
      }
      throw error;
    }
    if (identity.role === "anonymous") {
      throw new AuthenticationError("unicore", `UNICORE at ${url} did not accept the credentials as a user (role: anonymous). Check ${configKeyPath(this.options.section, "username")}/password or token`);
    }
    this.logger.info(`UNICORE ${identity.serverVersion ?? "(version unknown)"} at ${url}, as ${identity.dn ?? "?"} (${identity.role})`);
    return client;
  }

  private async createAllocation(base: UnicoreJobDescription): Promise<void> {
    const client = await this.connect();
    const description: UnicoreJobDescription = {
      ...base,
      Tags: [...(base.Tags ?? []), this.clusterId, "daskq-allocation"],
      haveClientStageIn: "true",
    };
    const url = await client.submit(description);
    this.allocationUrl = url;
    this.ownsAllocation = true;
    await client.action(url, "start");
    await this.useAllocation(url, true);
  }

  /** Waits until the allocation is RUNNING with a real batch id (pyunicore `Allocation.wait_until_available`). */
  private async useAllocation(url: string, owned: boolean): Promise<void> {
    const client = await this.connect();
    this.allocationUrl = url;
    this.ownsAllocation = owned;
    for (;;) {
      const job = await client.job(url);
      if (job.status === "SUCCESSFUL" || job.status === "FAILED") {
        throw new UnicoreError(`the allocation ${url} ended (${job.status}): ${job.statusMessage || "no message"}`);
      }
      if (job.status === "RUNNING" && job.batchSystemId && !job.batchSystemId.startsWith("INTERACTIVE_")) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const submitted = (await client.submitted(url).catch(() => undefined)) ?? this.options.allocation;
    const nodes = Number.parseInt(String(submitted?.Resources?.["Nodes"] ?? ""), 10);
    this.allocationNodes = Number.isFinite(nodes) && nodes > 0 ? nodes : undefined;
    this.logger.info(`running inside the allocation ${url}${this.allocationNodes ? ` (${this.allocationNodes} nodes)` : ""}`);
  }

  /** In an allocation every job takes one node (srun --tasks=1): more jobs than nodes would wait, so say it. */
  private warnIfMoreJobsThanNodes(adding: number): void {
    if (!this.allocationUrl || this.allocationNodes === undefined || this.warnedNodes) return;
    const live = [...this.urls.keys()].filter((id) => !this.terminal.has(id)).length;
    const schedulerNode = this.scheduler ? 1 : 0;
    const needed = live + adding + schedulerNode;
    if (needed <= this.allocationNodes) return;
    this.warnedNodes = true;
    this.logger.warn(
      `[daskq:unicore] ${live + adding} worker job(s)${schedulerNode ? " and the scheduler" : ""} need ${needed} node(s), but the allocation ${this.allocationUrl} has ${this.allocationNodes}: ` +
        `each runs with srun --tasks=1 on its own node, so ${needed - this.allocationNodes} will wait (shown as RUNNING/QUEUED) until a node is free. Allocate more nodes or scale down.`,
    );
  }

  private workerDescription(request: SubmitRequest, name: string): UnicoreJobDescription {
    const { worker } = request;
    // Core's worker shell command, word by word: UNICORE joins Executable and Arguments as shell text.
    const words = workerShellWords(worker, shellQuote(name));
    if (this.options.threads !== undefined) {
      const i = words.indexOf("--nthreads");
      if (i >= 0) words[i + 1] = String(this.options.threads);
    }
    const base = withPrecommand(
      this.options.workerJobDescription,
      { tls: worker.tls ? renderTlsSetup(worker.tls) : [], prologue: worker.prologue },
      "worker-job-description",
      this.options.section,
    );
    const epilogue = worker.epilogue.join("\n");
    if (epilogue && base["User postcommand"] === undefined) Object.assign(base, { "User postcommand": epilogue, RunUserPostcommandOnLoginNode: false });
    const command = worker.argv.slice(0, 3);
    return completeDescription(base, {
      command: this.allocationUrl ? ["srun", "--tasks=1", "--nodes=1", ...command] : command,
      arguments: words.slice(3),
      environment: worker.env,
      resources: this.allocationUrl ? {} : workerResources(request.spec),
      tags: [this.clusterId],
      name,
    });
  }

  private urlOf(client: UnicoreClient, id: string): string {
    return this.urls.get(id) ?? `${client.baseUrl}/jobs/${encodeURIComponent(id)}`;
  }
}

/** Queue, Project and Runtime from the job spec (shared by scheduler, workers and allocation). */
function baseResources(spec: JobSpec): Record<string, string> {
  const resources: Record<string, string> = {};
  if (spec.queue) resources["Queue"] = spec.queue;
  if (spec.account) resources["Project"] = spec.account;
  if (spec.walltime !== undefined) resources["Runtime"] = unicoreRuntime(spec.walltime);
  return resources;
}

/** A worker job's resources: one node with the job's cores and memory. */
function workerResources(spec: JobSpec): Record<string, string> {
  return { ...baseResources(spec), Nodes: "1", CPUsPerNode: String(spec.cores), Memory: unicoreMemory(spec.memory) };
}

/** The job id: the last segment of its URL (UNICORE's job UUID). */
function idOf(url: string): string {
  return decodeURIComponent(url.replace(/\/+$/, "").split("/").pop() ?? url);
}

/** Aborting a job that is gone (404) or already finished (`Cannot abort the action.`) changes nothing. */
function isHarmlessAbortError(error: unknown): boolean {
  return error instanceof UnicoreError && (error.status === 404 || /Cannot abort|not possible/i.test(error.message));
}

async function mapLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(runners);
}
