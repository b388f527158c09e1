import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, openSync, closeSync, readSync, rmSync, statSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../free-port.js";
import { readRequestBody } from "../read-request-body.js";
import { absoluteAppId, appInfoJson, InvalidObject, readAppDefinition } from "./app-definition.js";
import { EmulatedApp, type AgentSettings } from "./emulated-app.js";
import type { EmulatedTask } from "./emulated-task.js";
import type { DeploymentJson, MarathonErrorBody } from "./marathon-json.js";

/** Settings of one Marathon EMULATOR. */
export interface MarathonEmulatorOptions {
  /** Require HTTP Basic (`username`/`password`) or `Authorization: token=<token>`. Default: none. */
  readonly auth?: { readonly username: string; readonly password: string } | { readonly token: string };
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Time a task stays in TASK_STAGING before its process starts. Default 250 ms. */
  readonly stagingMs?: number;
  /** A deployment never finishes sooner than this, so that "locked by a deployment" happens. Default 300 ms. */
  readonly minimumDeploymentMs?: number;
  /** Hostname reported for tasks. Default 127.0.0.1. */
  readonly host?: string;
  /** Marathon's Mesos framework id (`GET /v2/info`). Default: a random one. */
  readonly frameworkId?: string;
}

/** One request the emulator received (for tests that count requests). */
export interface MarathonRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly status: number;
}

/** A running Marathon EMULATOR. */
export interface MarathonEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request answered, in order. */
  readonly requests: MarathonRequest[];
  /** The app with this id, if it exists (not deleted). */
  app(id: string): EmulatedApp | undefined;
  /** Process ids of every task process still alive, over all apps (deleted ones included). */
  livePids(): number[];
  /** Kills every task, stops the server and removes the sandboxes. */
  close(): Promise<void>;
}

interface Deployment {
  readonly json: DeploymentJson;
  readonly appId: string;
  readonly createdAt: number;
  /** True once the app reached what the deployment asked for. */
  readonly done: () => boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: MarathonErrorBody,
  ) {
    super(body.message);
  }
}

/**
 * Starts a Marathon EMULATOR on 127.0.0.1 (a free port): an HTTP server implementing the parts of
 * Marathon's REST API v2 that daskq uses, with the JSON shapes, status codes and error bodies of
 * Marathon's RAML spec (mesosphere/marathon 90619da70, docs/docs/rest-api/public/api/): apps
 * (create, get with embeds, partial PUT, delete), app tasks (list, kill one with `scale`), bulk task
 * kill (`POST /v2/tasks/delete?scale=true`), deployments, `/v2/info`, `/ping`, and the Mesos agent's
 * `/files/read` for the task sandboxes (stdout, stderr). Tasks are real local processes
 * (see `EmulatedTask`), each deployable operation is a deployment that lasts until the app reached
 * its goal (at least `minimumDeploymentMs`) and locks the app meanwhile (409 unless `force=true`).
 * It is an emulator, not Marathon: no Mesos offers, no health checks, pods, groups or events.
 */
export async function startMarathonEmulator(options: MarathonEmulatorOptions = {}): Promise<MarathonEmulator> {
  const workDir = mkdtempSync(join(tmpdir(), "daskq-marathon-emulator-"));
  const apps = new Map<string, EmulatedApp>();
  /** Deleted apps whose tasks are still being killed. */
  const dying = new Set<EmulatedApp>();
  const deployments = new Map<string, Deployment>();
  const requests: MarathonRequest[] = [];
  const minimumDeploymentMs = options.minimumDeploymentMs ?? 300;
  const frameworkId = options.frameworkId ?? `${randomUUID()}-0000`;

  const checkDeployments = () => {
    for (const [id, deployment] of deployments) {
      if (Date.now() - deployment.createdAt >= minimumDeploymentMs && deployment.done()) deployments.delete(id);
    }
    for (const app of dying) if (app.tasks.size === 0) dying.delete(app);
  };
  const sweeper = setInterval(checkDeployments, 50);

  const agent: AgentSettings = {
    host: options.host ?? "127.0.0.1",
    slaveId: `${randomUUID()}-S0`,
    workDir,
    stagingMs: options.stagingMs ?? 250,
    allocatePort: () => freePort("0.0.0.0"),
    baseEnv: Object.fromEntries(["PATH", "HOME", "LANG"].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string])),
    changed: checkDeployments,
  };

  const deploymentsOf = (appId: string) => [...deployments.values()].filter((d) => d.appId === appId).map((d) => d.json.id);

  /** Starts a deployment on an app, or answers 409 if one runs and `force` is not set. */
  const deploy = (appId: string, action: string, force: boolean, done: () => boolean): { deploymentId: string; version: string } => {
    const running = deploymentsOf(appId);
    if (running.length > 0 && !force) {
      throw new HttpError(409, {
        message: "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
        deployments: running.map((id) => ({ id })),
      });
    }
    for (const id of running) deployments.delete(id);
    const id = randomUUID();
    const version = new Date().toISOString();
    deployments.set(id, {
      appId,
      createdAt: Date.now(),
      done,
      json: {
        id,
        version,
        affectedApps: [appId],
        affectedPods: [],
        steps: [{ actions: [{ action, app: appId }] }],
        currentActions: [{ action, app: appId, readinessCheckResults: [] }],
        currentStep: 1,
        totalSteps: 1,
      },
    });
    return { deploymentId: id, version };
  };

  /**
   * The goal of a start, scale or restart deployment (core/deployment/impl/TaskStartActor.scala and
   * ReadinessBehavior.scala): the `need` tasks it launches are RUNNING at the same time (a task that
   * ends meanwhile no longer counts, so a crash-looping app never finishes its deployment), and no
   * more than `target` tasks are left.
   */
  const started = (app: EmulatedApp, target: number, need: number) => {
    const since = Date.now();
    return () =>
      app.tasks.size <= target &&
      [...app.tasks.values()].filter((t) => t.state === "TASK_RUNNING" && !t.killRequested && t.stagedAt.getTime() >= since).length >= need;
  };

  const findApp = (id: string): EmulatedApp => {
    const app = apps.get(absoluteAppId(id));
    if (!app) throw new HttpError(404, { message: `App '${absoluteAppId(id)}' does not exist` });
    return app;
  };

  const findTask = (taskId: string): { app: EmulatedApp; task: EmulatedTask } | undefined => {
    for (const app of apps.values()) {
      const task = app.tasks.get(taskId);
      if (task) return { app, task };
    }
    return undefined;
  };

  /**
   * The Mesos AGENT's `GET /files/read?path=&offset=&length=` (apache/mesos docs/endpoints/files/read.md;
   * answers `{"data", "offset"}`, and with offset=-1 the file's size) for the virtual path of a
   * task's sandbox, `/frameworks/<framework id>/executors/<task id>/runs/latest/<file>`
   * (src/slave/paths.cpp getExecutorVirtualPath; a command task's executor id is its task id).
   */
  const readSandboxFile = (query: URLSearchParams): [number, unknown] => {
    const match = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/latest\/([^/]+)$/.exec(query.get("path") ?? "");
    const file = match && match[1] === frameworkId && !match[2]?.startsWith(".") ? join(workDir, match[2] as string, match[3] as string) : undefined;
    if (!file || !existsSync(file)) return [404, `Path '${query.get("path") ?? ""}' not found`];
    const size = statSync(file).size;
    const offset = Number(query.get("offset") ?? 0);
    if (offset === -1) return [200, { data: "", offset: size }];
    const length = Math.max(0, Math.min(Number(query.get("length") ?? size), size - offset));
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, "r");
    try {
      readSync(fd, buffer, 0, length, offset);
    } finally {
      closeSync(fd);
    }
    return [200, { data: buffer.toString("utf8"), offset }];
  };

  const route = async (method: string, path: string, query: URLSearchParams, body: unknown, response: ServerResponse, request: IncomingMessage): Promise<[number, unknown]> => {
    const force = query.get("force") === "true";
    const scale = query.get("scale") === "true";
    const embed = new Set(query.getAll("embed"));
    if (path === "/ping" && method === "GET") return [200, "pong"];
    if (path === "/v2/info" && method === "GET") {
      return [200, { name: "marathon", version: "1.10.0-daskq-emulator", buildref: "emulator", elected: true, leader: new URL(`http://${request.headers.host ?? "127.0.0.1"}`).host, frameworkId }];
    }
    if (path === "/files/read" && method === "GET") return readSandboxFile(query);
    if (path === "/v2/deployments" && method === "GET") return [200, [...deployments.values()].map((d) => d.json)];
    if (path === "/v2/tasks" && method === "GET") return [200, { tasks: [...apps.values()].flatMap((a) => [...a.tasks.values()].map((t) => t.toJson())) }];
    if (path === "/v2/tasks/delete" && method === "POST") {
      const ids = (body as { ids?: unknown })?.ids;
      if (!Array.isArray(ids) || !ids.every((i) => typeof i === "string")) throw invalidJson("/ids", "error.expected.jsarray");
      if (scale && query.get("wipe") === "true") throw new HttpError(400, { message: "You cannot use scale and wipe at the same time." });
      const bad = ids.find((id) => !TASK_ID.test(id));
      if (bad !== undefined) throw new HttpError(400, { message: `Invalid task id '${bad}'. [${bad} (of class java.lang.String)]` });
      // Ids that parse but are not live are ignored, as TasksResource.killTasks does.
      const found = ids.map(findTask).filter((f): f is { app: EmulatedApp; task: EmulatedTask } => f !== undefined);
      const byApp = new Map<EmulatedApp, EmulatedTask[]>();
      for (const { app, task } of found) byApp.set(app, [...(byApp.get(app) ?? []), task]);
      if (!scale) {
        for (const [app, tasks] of byApp) app.killTasks(tasks, false);
        return [200, { tasks: found.map(({ task }) => task.toJson()) }];
      }
      return [200, killAndScale(byApp, force, response)];
    }
    const tasksMatch = /^\/v2\/apps\/(.+?)\/tasks(?:\/([^/]+))?$/.exec(path);
    if (tasksMatch) {
      const app = findApp(tasksMatch[1] as string);
      const taskId = tasksMatch[2];
      if (method === "GET" && taskId === undefined) return [200, { tasks: [...app.tasks.values()].map((t) => t.toJson()) }];
      if (method === "DELETE" && taskId !== undefined) {
        const task = app.tasks.get(decodeURIComponent(taskId));
        if (!task) throw new HttpError(404, { message: `Task '${decodeURIComponent(taskId)}' does not exist` });
        if (scale) return [200, killAndScale(new Map([[app, [task]]]), force, response)];
        app.killTasks([task], false);
        return [200, { task: task.toJson() }];
      }
    }
    const appMatch = /^\/v2\/apps\/(.+?)\/?$/.exec(path);
    if (path === "/v2/apps" || path === "/v2/apps/") {
      if (method === "GET") {
        const filter = query.get("id");
        const list = [...apps.values()].filter((a) => !filter || a.id.includes(filter));
        return [200, { apps: list.map((a) => appInfoJson(a, deploymentsOf(a.id), embed, "apps")) }];
      }
      if (method === "POST") {
        const raw = body as Record<string, unknown>;
        if (typeof raw?.["id"] !== "string") throw invalidJson("/id", "error.path.missing");
        const id = absoluteAppId(raw["id"]);
        if (apps.has(id)) throw new HttpError(409, { message: `An app with id [${id}] already exists.` });
        const app = new EmulatedApp(readAppDefinition(raw, id), agent);
        const { deploymentId } = deploy(id, "StartApplication", false, started(app, app.definition.instances, app.definition.instances));
        apps.set(id, app);
        app.reconcile();
        response.setHeader("Location", `/v2/apps${id}`);
        response.setHeader("Marathon-Deployment-Id", deploymentId);
        return [201, appInfoJson(app, deploymentsOf(id), new Set(), "app")];
      }
    }
    if (appMatch) {
      const id = absoluteAppId(appMatch[1] as string);
      if (method === "GET") return [200, { app: appInfoJson(findApp(id), deploymentsOf(id), embed, "app") }];
      if (method === "PUT") {
        const raw = (body ?? {}) as Record<string, unknown>;
        const existing = apps.get(id);
        if (!existing) {
          const app = new EmulatedApp(readAppDefinition({ ...raw, id }, id), agent);
          const result = deploy(id, "StartApplication", force, started(app, app.definition.instances, app.definition.instances));
          apps.set(id, app);
          app.reconcile();
          response.setHeader("Marathon-Deployment-Id", result.deploymentId);
          return [201, result];
        }
        const partial = query.get("partialUpdate") !== "false";
        const next = readAppDefinition(partial ? raw : { ...raw }, id, partial ? existing.definition : undefined);
        const restart = JSON.stringify({ ...next, instances: 0 }) !== JSON.stringify({ ...existing.definition, instances: 0 });
        const need = restart ? next.instances : Math.max(0, next.instances - existing.activeTasks.length);
        const result = deploy(id, restart ? "RestartApplication" : "ScaleApplication", force, started(existing, next.instances, need));
        existing.update(next);
        response.setHeader("Marathon-Deployment-Id", result.deploymentId);
        return [200, result];
      }
      if (method === "DELETE") {
        const app = findApp(id);
        const result = deploy(id, "StopApplication", force, () => app.tasks.size === 0);
        apps.delete(id);
        dying.add(app);
        app.destroy();
        response.setHeader("Marathon-Deployment-Id", result.deploymentId);
        return [200, result];
      }
    }
    throw new HttpError(404, { message: `${method} ${path} is not a Marathon API path this emulator knows` });
  };

  const killAndScale = (byApp: Map<EmulatedApp, EmulatedTask[]>, force: boolean, response: ServerResponse) => {
    let result = { deploymentId: "", version: new Date().toISOString() };
    for (const [app, tasks] of byApp) {
      result = deploy(app.id, "ScaleApplication", force, () => tasks.every((t) => t.terminal));
      app.killTasks(tasks, true);
    }
    if (result.deploymentId !== "") response.setHeader("Marathon-Deployment-Id", result.deploymentId);
    return result;
  };

  const authorized = (request: IncomingMessage): boolean => {
    const auth = options.auth;
    if (!auth) return true;
    const header = request.headers.authorization ?? "";
    if ("token" in auth) return header === `token=${auth.token}`;
    return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  };

  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    let body: unknown;
    let status = 500;
    let payload: unknown;
    try {
      const text = await readRequestBody(request);
      if (url.pathname !== "/ping" && !authorized(request)) throw new HttpError(401, { message: "Invalid username or password." });
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw invalidJson("/", (error as Error).message);
        }
      }
      [status, payload] = await route(method, url.pathname, url.searchParams, body, response, request);
    } catch (error) {
      if (error instanceof HttpError) [status, payload] = [error.status, error.body];
      else if (error instanceof InvalidObject) [status, payload] = [422, { message: error.message, details: error.details }];
      else [status, payload] = [500, { message: (error as Error).message }];
    }
    requests.push({ method, path: url.pathname, query: url.searchParams, body, status });
    if (typeof payload === "string") {
      response.writeHead(status, { "Content-Type": "text/plain" }).end(payload);
    } else {
      response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(payload));
    }
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, (q, s) => void handler(q, s))
    : createHttpServer((q, s) => void handler(q, s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const allApps = () => [...apps.values(), ...dying];
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    app: (id) => apps.get(absoluteAppId(id)),
    livePids: () => allApps().flatMap((a) => [...a.tasks.values()].map((t) => t.pid).filter((p): p is number => p !== undefined)),
    async close() {
      for (const app of allApps()) app.destroy();
      const deadline = Date.now() + 15_000;
      while (allApps().some((a) => a.tasks.size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      clearInterval(sweeper);
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Task ids Marathon can parse (core/task/Task.scala, core/instance/Instance.scala): legacy or instance based. */
const TASK_ID = /^(.+)\.(instance-|marathon-)[^.]+\.[^.]+(\.\d+)?$|^(.+)[._][0-9a-f-]{36}(\.\d+)?$/;

function invalidJson(path: string, error: string): HttpError {
  return new HttpError(400, { message: "Invalid JSON", details: [{ path, errors: [error] }] });
}
