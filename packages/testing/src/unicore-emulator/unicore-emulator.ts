import { createReadStream, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { PYTHON } from "../python.js";
import { readRequestBody } from "../read-request-body.js";
import { EmulatedJob, UnicoreOperationError, type JobRuntime } from "./emulated-job.js";
import { EmulatorAuth, type Caller } from "./emulator-auth.js";
import { renderBase, renderError, renderJob, renderList, renderPath, renderStorage } from "./rest-shapes.js";
import { FORWARDING_UPGRADE, ForwardedConnections, writeHttpError } from "./socket-forwarding.js";

/** Directory of the emulator's `srun` (used by tasks inside an emulated allocation). */
export const UNICORE_EMULATOR_BIN = fileURLToPath(new URL("../../emulators/unicore/bin", import.meta.url));

/** Settings of one UNICORE EMULATOR. */
export interface UnicoreEmulatorOptions {
  /** Username -> password for HTTP Basic. Default `{ demouser: "test123" }` (UNICORE's demo user). */
  readonly users?: Readonly<Record<string, string>>;
  /** Bearer token -> username. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Server version in the base resource. Default `10.0.0`. */
  readonly version?: string;
  /** Site name in the URL (`/<site>/rest/core`). Default `DEMO-SITE`. */
  readonly site?: string;
  /** Where job working directories go (siblings). Default: a new temp dir, removed on stop(). */
  readonly storageRoot?: string;
  /** ms a batch job stays QUEUED. Default 300. */
  readonly queueDelayMs?: number;
  /** Environment jobs start from. Default: this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** IDB applications: name -> executable line. Default: `dask-scheduler` and `dask-worker` with the test Python. */
  readonly applications?: Readonly<Record<string, string>>;
}

/** One request the emulator answered, for tests that count requests. */
export interface RecordedRequest {
  readonly method: string;
  /** Path below the core base, e.g. `/jobs` or `/jobs/<id>/actions/start`. */
  readonly path: string;
  readonly query: string;
  readonly status: number;
}

/**
 * A UNICORE EMULATOR: an HTTP server (node:http) with the REST shapes of UNICORE 9/10's core
 * services for what daskq uses (the base resource, the jobs list with tags, job properties and
 * `_links`, submission, submission into an allocation, the start/abort actions, working-directory
 * listing and download with byte ranges, and the socket-forwarding upgrade), authentication with
 * 401/403 and security sessions with 432. Jobs are real processes in per-job working directories,
 * siblings under one storage root, as on a real site. It is NOT UNICORE: see
 * packages/testing/emulators/unicore/README.md for what it reproduces and where each shape comes from.
 */
export class UnicoreEmulator {
  readonly requests: RecordedRequest[] = [];
  private readonly jobs = new Map<string, EmulatedJob>();
  private readonly forwards = new ForwardedConnections();

  private constructor(
    private readonly server: Server,
    private readonly auth: EmulatorAuth,
    private readonly runtime: JobRuntime,
    private readonly options: UnicoreEmulatorOptions,
    private readonly ownsStorage: boolean,
  ) {}

  /** Starts an emulator on 127.0.0.1 (a free port). */
  static async start(options: UnicoreEmulatorOptions = {}): Promise<UnicoreEmulator> {
    const storageRoot = options.storageRoot ?? (await mkdtemp(join(tmpdir(), "daskq-unicore-emulator-")));
    const auth = new EmulatorAuth(options.users ?? { demouser: "test123" }, options.tokens ?? {});
    const server = createServer();
    let counter = 1000;
    const runtime: JobRuntime = {
      storageRoot,
      baseEnvironment: (options.env ?? (process.env as Record<string, string>)) as Record<string, string>,
      binDirectory: UNICORE_EMULATOR_BIN,
      queueDelayMs: options.queueDelayMs ?? 300,
      applications: options.applications ?? {
        "dask-scheduler": `${PYTHON} -m distributed.cli.dask_scheduler`,
        "dask-worker": `${PYTHON} -m distributed.cli.dask_worker`,
      },
      nextBatchSystemId: () => String(++counter),
    };
    const emulator = new UnicoreEmulator(server, auth, runtime, options, options.storageRoot === undefined);
    server.on("request", (req, res) => void emulator.handle(req, res));
    server.on("upgrade", (req, socket, head) => emulator.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return emulator;
  }

  /** `http://127.0.0.1:<port>/<site>/rest/core`: what a client is configured with. */
  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/${this.site}/rest/core`;
  }

  /** The storage root holding every job's working directory. */
  get storageRoot(): string {
    return this.runtime.storageRoot;
  }

  /** Every job the emulator knows, with its state and (while it runs) its process id. */
  listJobs(): ReadonlyArray<{ id: string; status: string; tags: readonly string[]; pid: number | undefined; workingDirectory: string; jobType: string }> {
    return [...this.jobs.values()].map((j) => ({ id: j.id, status: j.status, tags: j.tags, pid: j.pid, workingDirectory: j.workingDirectory, jobType: j.jobType }));
  }

  /** Jobs not yet SUCCESSFUL or FAILED. */
  get activeJobs(): number {
    return [...this.jobs.values()].filter((j) => !j.terminal).length;
  }

  /** Forwarded connections currently open. */
  get openForwards(): number {
    return this.forwards.count;
  }

  /** Forwarded connections opened so far. */
  get forwardsOpened(): number {
    return this.forwards.opened;
  }

  /** Cuts every forwarded connection, as a dropped gateway connection would. Resolves how many. */
  dropForwards(): number {
    return this.forwards.dropAll();
  }

  /** Ends every security session: the next request presenting one gets 432. */
  expireSessions(): void {
    this.auth.expireSessions();
  }

  /** Aborts every job, waits for their processes, closes the server and removes its own storage root. */
  async stop(): Promise<void> {
    for (const job of this.jobs.values()) if (!job.terminal) job.abort();
    await Promise.race([Promise.all([...this.jobs.values()].map((j) => j.whenEnded())), new Promise((r) => setTimeout(r, 10_000))]);
    this.forwards.dropAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.ownsStorage) await rm(this.runtime.storageRoot, { recursive: true, force: true });
  }

  private get site(): string {
    return this.options.site ?? "DEMO-SITE";
  }

  private get prefix(): string {
    return `/${this.site}/rest/core`;
  }

  private base(req: IncomingMessage): string {
    return `http://${req.headers.host ?? "127.0.0.1"}${this.prefix}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = url.pathname.startsWith(this.prefix) ? url.pathname.slice(this.prefix.length) : undefined;
    const record = (status: number): void => {
      this.requests.push({ method: req.method ?? "GET", path: path ?? url.pathname, query: url.search, status });
    };
    let caller: Caller | undefined;
    try {
      if (path === undefined) throw new UnicoreOperationError(404, `No such resource: ${url.pathname}`);
      caller = this.auth.authenticate(req.headers);
      const body = await readRequestBody(req);
      const reply = await this.route(req, res, path, url.searchParams, body, caller);
      if (reply === "streamed") return record(res.statusCode);
      if (caller.session) res.setHeader("X-UNICORE-SecuritySession", caller.session);
      if (reply.location) res.setHeader("Location", reply.location);
      if (reply.json === undefined) {
        res.writeHead(reply.status).end();
      } else {
        const text = JSON.stringify(reply.json);
        res.writeHead(reply.status, { "Content-Type": "application/json" }).end(text);
      }
      record(reply.status);
    } catch (error) {
      const status = error instanceof UnicoreOperationError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      const text = JSON.stringify(renderError(status, message));
      if (!res.headersSent) res.writeHead(status, { "Content-Type": "application/json" }).end(text);
      else res.destroy();
      record(status);
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    body: string,
    caller: Caller,
  ): Promise<{ status: number; json?: unknown; location?: string } | "streamed"> {
    const base = this.base(req);
    const method = req.method ?? "GET";
    const parts = path.split("/").filter(Boolean);
    if (parts.length === 0 && method === "GET") return { status: 200, json: renderBase(base, caller.user, this.options.version ?? "10.0.0") };
    if (parts[0] === "jobs") {
      if (parts.length === 1 && method === "GET") {
        const tags = (query.get("tags") ?? "").split(/[ +,]/).filter(Boolean);
        const ids = [...this.jobs.values()].filter((j) => j.owner === caller.user && tags.every((t) => j.tags.includes(t))).map((j) => j.id);
        return { status: 200, json: renderList("jobs", base, ids, Number(query.get("offset") ?? 0), Number(query.get("num") ?? 200)) };
      }
      if (parts.length === 1 && method === "POST") {
        const user = requireUser(caller, 401, "Could not submit job: Access denied - anonymous users cannot submit jobs.");
        const job = this.submit(user, parseJson(body, "Could not submit job"));
        return { status: 201, location: `${base}/jobs/${job.id}` };
      }
      const job = this.ownedJob(parts[1] as string, caller);
      if (parts.length === 2 && method === "GET") return { status: 200, json: renderJob(base, job, query.get("fields") ?? undefined) };
      if (parts.length === 2 && method === "POST") {
        const task = this.submitIntoAllocation(job, parseJson(body, "Could not submit task into allocation"));
        return { status: 201, location: `${base}/jobs/${task.id}` };
      }
      if (parts.length === 2 && method === "DELETE") {
        if (!job.terminal) job.abort();
        this.jobs.delete(job.id);
        await job.whenEnded();
        await rm(job.workingDirectory, { recursive: true, force: true });
        return { status: 204 };
      }
      if (parts.length === 4 && parts[2] === "actions" && method === "POST") {
        if (parts[3] === "start") job.start();
        else if (parts[3] === "abort") job.abort();
        else throw new UnicoreOperationError(404, `Error handling action: '${parts[3]}'`);
        return { status: 204 };
      }
      if (parts.length === 3 && parts[2] === "forward-port" && method === "GET") return { status: 200, json: { status: "Nothing to see here yet." } };
      if (parts.length === 3 && parts[2] === "details" && method === "GET") return { status: 200, json: { rawDetailsData: `JobId=${job.batchSystemId ?? "N/A"} JobState=${job.status}` } };
      if (parts.length === 3 && parts[2] === "submitted" && method === "GET") return { status: 200, json: job.description };
    }
    if (parts[0] === "storages" && parts[1]?.endsWith("-uspace")) {
      const job = this.ownedJob(parts[1].slice(0, -"-uspace".length), caller);
      const storageUrl = `${base}/storages/${job.id}-uspace`;
      if (parts.length === 2 && method === "GET") return { status: 200, json: renderStorage(base, job) };
      if (parts[2] === "files" && method === "GET") {
        const filePath = normalize(`/${parts.slice(3).map(decodeURIComponent).join("/")}`);
        if (filePath.includes("..")) throw new UnicoreOperationError(403, "Path outside the storage");
        const wantsContent = (req.headers.accept ?? "").includes("application/octet-stream");
        if (!wantsContent) {
          const props = renderPath(job.workingDirectory, filePath, storageUrl);
          if (!props) throw new UnicoreOperationError(404, `Error listing '${filePath}': File not found`);
          return { status: 200, json: props };
        }
        return this.download(req, res, join(job.workingDirectory, filePath));
      }
    }
    throw new UnicoreOperationError(404, `No such resource: ${path}`);
  }

  private submit(user: string, description: Record<string, unknown>): EmulatedJob {
    const job = new EmulatedJob(user, description, this.runtime);
    this.jobs.set(job.id, job);
    // UNICORE starts a job at once unless the client will stage in files first (Jobs.doSubmit).
    if (String(description["haveClientStageIn"]) !== "true") job.start();
    return job;
  }

  private submitIntoAllocation(allocation: EmulatedJob, description: Record<string, unknown>): EmulatedJob {
    if (allocation.jobType !== "ALLOCATE") throw new UnicoreOperationError(500, "Could not submit task into allocation: This job is not an allocation.");
    if (allocation.status !== "RUNNING") throw new UnicoreOperationError(500, `Could not submit task into allocation: Allocation is not active. Status is ${allocation.status}`);
    const task = new EmulatedJob(allocation.owner, description, this.runtime, allocation);
    allocation.tasks.push(task);
    this.jobs.set(task.id, task);
    if (String(description["haveClientStageIn"]) !== "true") task.start();
    return task;
  }

  private ownedJob(id: string, caller: Caller): EmulatedJob {
    const job = this.jobs.get(id);
    if (!job) throw new UnicoreOperationError(404, `Resource '${id}' not found`);
    if (job.owner !== caller.user) throw new UnicoreOperationError(403, "Access denied.");
    return job;
  }

  private download(req: IncomingMessage, res: ServerResponse, file: string): "streamed" {
    let size: number;
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) throw new UnicoreOperationError(406, "Not acceptable: a directory");
      size = stat.size;
    } catch (error) {
      if (error instanceof UnicoreOperationError) throw error;
      throw new UnicoreOperationError(404, `Error downloading: file not found`);
    }
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    let start = 0;
    let end = size - 1;
    if (range) {
      if (range[1] === "" && range[2] !== "") start = Math.max(0, size - Number(range[2]));
      else {
        start = Number(range[1]);
        if (range[2] !== "") end = Math.min(end, Number(range[2]));
      }
    }
    res.writeHead(range ? 206 : 200, { "Content-Type": "application/octet-stream" });
    if (size === 0 || start > end) {
      res.end();
      return "streamed";
    }
    createReadStream(file, { start, end }).pipe(res);
    return "streamed";
  }

  /** `GET {job}/forward-port?port=P[&host=H]` with `Upgrade: UNICORE-Socket-Forwarding` (unicorex `Jobs.startForwarding`). */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    const parts = url.pathname.slice(this.prefix.length).split("/").filter(Boolean);
    const record = (status: number): void => {
      this.requests.push({ method: "GET", path: url.pathname.slice(this.prefix.length), query: url.search, status });
    };
    try {
      if (!url.pathname.startsWith(this.prefix) || parts[0] !== "jobs" || parts[2] !== "forward-port" || parts.length !== 3) {
        throw new UnicoreOperationError(404, `No such resource: ${url.pathname}`);
      }
      if ((req.headers.upgrade ?? "").toLowerCase() !== FORWARDING_UPGRADE.toLowerCase()) throw new UnicoreOperationError(400, "Unsupported upgrade");
      const caller = this.auth.authenticate(req.headers);
      const job = this.ownedJob(parts[1] as string, caller);
      if (!job.batchSystemId) throw new UnicoreOperationError(500, "Could not connect to backend service: Job BSSID is null - application is not (yet?) running.");
      const port = url.searchParams.get("port");
      if (!port || !/^\d+$/.test(port)) throw new UnicoreOperationError(500, "Could not connect to backend service: Need address to connect to");
      this.forwards.open(socket, head, url.searchParams.get("host") ?? "localhost", Number(port));
      record(101);
    } catch (error) {
      const status = error instanceof UnicoreOperationError ? error.status : 500;
      writeHttpError(socket, status, error instanceof Error ? error.message : String(error));
      record(status);
    }
  }
}

function requireUser(caller: Caller, status: number, message: string): string {
  if (!caller.user) throw new UnicoreOperationError(status, message);
  return caller.user;
}

function parseJson(body: string, context: string): Record<string, unknown> {
  try {
    const value = JSON.parse(body) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new UnicoreOperationError(400, `${context}: the body is not a JSON object`);
}
