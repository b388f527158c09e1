import { AuthenticationError, DaskqError, silentLogger, type Logger } from "@daskq/core";
import type { DeploymentResult, MarathonApp, MarathonAppDefinition, MarathonErrorBody } from "./marathon-api.js";
import { MarathonApiError, describeMarathonError } from "./marathon-error.js";

/** The `fetch` the client sends its requests with (the global one, or one with a CA, see `fetchWithCa`). */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** How the client authenticates: HTTP Basic, or DC/OS' `Authorization: token=<token>`. */
export type MarathonAuth =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "token"; readonly token: string };

/** Settings of a `MarathonClient`. */
export interface MarathonClientOptions {
  /** Base URL, e.g. `http://marathon.example.com:8080`. */
  readonly url: string;
  readonly auth?: MarathonAuth;
  readonly fetch?: Fetch;
  /** Send `force=true` with every deployable request (cancels the deployment that locks the app). */
  readonly force?: boolean;
  /** How long a request that meets "locked by a deployment" waits for it before failing. Default 60 s. */
  readonly deploymentTimeoutMs?: number;
  /** Time between looks at `/v2/deployments` while waiting. Default 250 ms. */
  readonly pollMs?: number;
  /** Time one HTTP request may take. Default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Options of one deployable request. */
export interface DeployableOptions {
  /**
   * When the app is locked only by deployments THIS client started, cancel them (`force=true`)
   * instead of waiting: used to stop a crash loop, whose deployment can never finish.
   */
  readonly overrideOwnDeployments?: boolean;
}

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

/**
 * A small typed client of Marathon's REST API v2 (RAML spec: mesosphere/marathon,
 * docs/docs/rest-api/public/api/), on `fetch`. Every deployable request (create, scale, kill with
 * `scale=true`, delete) that meets 409 "App is locked by one or more deployments" waits until those
 * deployments leave `GET /v2/deployments` and tries again, for at most `deploymentTimeoutMs`; it
 * sends `force=true` only when configured. Errors are `MarathonApiError`s quoting Marathon's message
 * (`AuthenticationError` for refused credentials).
 */
export class MarathonClient {
  private readonly base: string;
  private readonly fetch: Fetch;
  private readonly logger: Logger;
  /** Deployments this client started. */
  private readonly own = new Set<string>();
  private framework: Promise<string> | undefined;

  constructor(private readonly options: MarathonClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.logger = options.logger ?? silentLogger;
  }

  /** `POST /v2/apps`: creates the app (201). */
  async createApp(app: MarathonAppDefinition): Promise<MarathonApp> {
    return (await this.deployable("POST", "/v2/apps", {}, app)) as unknown as MarathonApp;
  }

  /** `GET /v2/apps/{id}` with embeds (e.g. `app.tasks`, `app.lastTaskFailure`); undefined on 404. */
  async getApp(id: string, embed: readonly string[] = []): Promise<MarathonApp | undefined> {
    const query = new URLSearchParams(embed.map((e): [string, string] => ["embed", e]));
    const answer = await this.send("GET", `/v2/apps${id}`, query);
    if (answer.status === 404) return undefined;
    this.check("GET", `/v2/apps${id}`, answer);
    return (answer.json as { app: MarathonApp }).app;
  }

  /** `PUT /v2/apps/{id}` with `{"instances": n}`: ONE request for any number of instances. */
  scaleApp(id: string, instances: number, options: DeployableOptions = {}): Promise<DeploymentResult> {
    return this.deployable("PUT", `/v2/apps${id}`, {}, { instances }, options);
  }

  /** `PUT /v2/apps/{id}` with a whole definition: a new config, whose tasks Marathon restarts. */
  updateApp(id: string, app: MarathonAppDefinition): Promise<DeploymentResult> {
    return this.deployable("PUT", `/v2/apps${id}`, {}, app);
  }

  /** `POST /v2/tasks/delete?scale=true` with `{"ids": [...]}`: kills exactly these tasks and lowers `instances` by their number. */
  killTasksAndScale(taskIds: readonly string[], options: DeployableOptions = {}): Promise<DeploymentResult> {
    return this.deployable("POST", "/v2/tasks/delete", { scale: "true" }, { ids: taskIds }, options);
  }

  /** `DELETE /v2/apps/{id}`: removes the app and kills all its tasks; undefined when there was no such app. */
  async deleteApp(id: string): Promise<DeploymentResult | undefined> {
    try {
      return await this.deployable("DELETE", `/v2/apps${id}`, {});
    } catch (error) {
      if (error instanceof MarathonApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Marathon's Mesos framework id (`GET /v2/info`), read once. */
  async frameworkId(): Promise<string> {
    this.framework ??= this.send("GET", "/v2/info").then((answer) => {
      this.check("GET", "/v2/info", answer);
      return (answer.json as { frameworkId: string }).frameworkId;
    });
    return this.framework.catch((error: unknown) => {
      this.framework = undefined;
      throw error;
    });
  }

  /**
   * The last `bytes` of a file (`stderr`, `stdout`) of a task's sandbox, read from its Mesos agent
   * at `agentUrl` with `GET /files/read` (offset -1 gives the size) at the sandbox's virtual path
   * `/frameworks/<framework id>/executors/<task id>/runs/latest` (a command task's executor id is
   * its task id). Undefined when the agent does not have it.
   */
  async sandboxTail(agentUrl: string, taskId: string, file: string, bytes: number): Promise<string | undefined> {
    const path = `/frameworks/${await this.frameworkId()}/executors/${taskId}/runs/latest/${file}`;
    const read = async (offset: number, length?: number) => {
      const query = new URLSearchParams({ path, offset: String(offset), ...(length === undefined ? {} : { length: String(length) }) });
      const answer = await this.send("GET", "/files/read", query, undefined, agentUrl);
      return answer.status === 200 ? (answer.json as { data: string; offset: number }) : undefined;
    };
    const size = await read(-1);
    if (!size) return undefined;
    const start = Math.max(0, size.offset - bytes);
    return (await read(start, size.offset - start))?.data;
  }

  /** Waits until none of these deployments is listed by `GET /v2/deployments`; resolves false on timeout. */
  async waitForDeployments(ids: readonly string[], timeoutMs = this.options.deploymentTimeoutMs ?? 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.send("GET", "/v2/deployments");
      this.check("GET", "/v2/deployments", answer);
      const running = new Set((answer.json as { id: string }[]).map((d) => d.id));
      if (!ids.some((id) => running.has(id))) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 250));
    }
  }

  private async deployable(
    method: string,
    path: string,
    params: Record<string, string>,
    body?: unknown,
    options: DeployableOptions = {},
  ): Promise<DeploymentResult> {
    const deadline = Date.now() + (this.options.deploymentTimeoutMs ?? 60_000);
    let force = this.options.force === true;
    for (;;) {
      const query = new URLSearchParams({ ...params, ...(force ? { force: "true" } : {}) });
      const answer = await this.send(method, path, query, body);
      if (answer.status !== 409 || !isLocked(answer.json)) {
        this.check(method, path, answer);
        const result = answer.json as DeploymentResult & { deployments?: { id: string }[] };
        for (const id of [result.deploymentId, ...(result.deployments ?? []).map((d) => d.id)]) if (id) this.own.add(id);
        return result;
      }
      const locking = ((answer.json as MarathonErrorBody).deployments ?? []).map((d) => d.id);
      if (options.overrideOwnDeployments && locking.length > 0 && locking.every((id) => this.own.has(id))) {
        this.logger.warn(`marathon: ${method} ${path}: cancelling daskq's own deployment ${locking.join(", ")}, which cannot finish while tasks keep failing`);
        force = true;
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.waitForDeployments(locking, remaining))) {
        throw new MarathonApiError(
          `${method} ${path}`,
          409,
          answer.json as MarathonErrorBody,
          `Still locked after ${Math.round((this.options.deploymentTimeoutMs ?? 60_000) / 1000)} s by deployment(s) ${locking.join(", ") || "(unnamed)"}: ` +
            "look at GET /v2/deployments, or set jobqueue.marathon.force: true to override deployments",
        );
      }
    }
  }

  private check(method: string, path: string, answer: Answer): void {
    if (answer.status >= 200 && answer.status < 300) return;
    const body = (answer.json ?? {}) as MarathonErrorBody;
    if (answer.status === 401 || answer.status === 403) {
      throw new AuthenticationError("marathon", describeMarathonError(`${method} ${path}`, answer.status, body, "Check jobqueue.marathon.username and password, or token"));
    }
    throw new MarathonApiError(`${method} ${path}`, answer.status, body, answer.status === 404 ? "Check jobqueue.marathon.url" : "");
  }

  private async send(method: string, path: string, query?: URLSearchParams, body?: unknown, base = this.base): Promise<Answer> {
    const search = query && [...query.keys()].length > 0 ? `?${query.toString()}` : "";
    const url = `${base.replace(/\/+$/, "")}${path}${search}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const auth = this.options.auth;
    if (auth?.kind === "basic") headers["Authorization"] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    if (auth?.kind === "token") headers["Authorization"] = `token=${auth.token}`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      if (error instanceof DaskqError) throw error;
      const cause = (error as { cause?: { message?: string; code?: string } }).cause;
      throw new DaskqError("marathon", `cannot reach ${base === this.base ? "Marathon" : "the Mesos agent"} at ${base} (${method} ${path}): ${cause?.message ?? cause?.code ?? (error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = { message: text.slice(0, 200) };
    }
    return { status: response.status, json };
  }
}

function isLocked(body: unknown): boolean {
  const message = (body as MarathonErrorBody | undefined)?.message ?? "";
  return /locked by one or more deployments/i.test(message) || Array.isArray((body as MarathonErrorBody | undefined)?.deployments);
}
