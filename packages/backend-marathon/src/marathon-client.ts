import { HttpJson, answerJson, silentLogger, type Fetch, type HttpAnswer, type Logger } from "@daskq/core";
import { sendWhileLocked, type MarathonAnswer } from "./deployment-lock.js";
import type { DeploymentResult, MarathonApp, MarathonAppDefinition, MarathonErrorBody } from "./marathon-api.js";
import { MarathonApiError, describeMarathonError } from "./marathon-error.js";

/** The `fetch` the client sends its requests with (the global one, or one with a CA, see `fetchWithCa`). */
export type { Fetch };

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
  /** Requests to Marathon: refused credentials are an `AuthenticationError`. */
  private readonly marathon: HttpJson;
  /** Requests to a Mesos agent's sandbox, where any failed read only means "no log". */
  private readonly agent: HttpJson;
  private readonly logger: Logger;
  /** Deployments this client started. */
  private readonly own = new Set<string>();
  private framework: Promise<string> | undefined;

  constructor(private readonly options: MarathonClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    const http = { component: "marathon", timeoutMs: options.requestTimeoutMs ?? 30_000, ...(options.fetch ? { fetch: options.fetch } : {}) };
    this.marathon = new HttpJson({
      ...http,
      service: "Marathon",
      refusal: (answer, request) =>
        describeMarathonError(request.name ?? request.method, answer.status, errorBody(toMarathonAnswer(answer)), "Check jobqueue.marathon.username and password, or token"),
    });
    this.agent = new HttpJson({ ...http, service: "the Mesos agent" });
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
    const answer = await sendWhileLocked({
      request: `${method} ${path}`,
      send: (force) => this.send(method, path, new URLSearchParams({ ...params, ...(force ? { force: "true" } : {}) }), body),
      waitForDeployments: (ids, timeoutMs) => this.waitForDeployments(ids, timeoutMs),
      force: this.options.force === true,
      overrideOwnDeployments: options.overrideOwnDeployments === true,
      own: this.own,
      deploymentTimeoutMs: this.options.deploymentTimeoutMs ?? 60_000,
      logger: this.logger,
    });
    this.check(method, path, answer);
    const result = answer.json as DeploymentResult & { deployments?: { id: string }[] };
    for (const id of [result.deploymentId, ...(result.deployments ?? []).map((d) => d.id)]) if (id) this.own.add(id);
    return result;
  }

  private check(method: string, path: string, answer: MarathonAnswer): void {
    if (answer.status >= 200 && answer.status < 300) return;
    throw new MarathonApiError(`${method} ${path}`, answer.status, errorBody(answer), answer.status === 404 ? "Check jobqueue.marathon.url" : "");
  }

  private async send(method: string, path: string, query?: URLSearchParams, body?: unknown, base = this.base): Promise<MarathonAnswer> {
    const search = query && [...query.keys()].length > 0 ? `?${query.toString()}` : "";
    const http = base === this.base ? this.marathon : this.agent;
    const headers: Record<string, string> = {};
    const auth = this.options.auth;
    if (auth?.kind === "basic") headers["Authorization"] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    if (auth?.kind === "token") headers["Authorization"] = `token=${auth.token}`;
    const root = base.replace(/\/+$/, "");
    return toMarathonAnswer(await http.send({
      method,
      url: `${root}${path}${search}`,
      headers,
      name: `${method} ${path}`,
      target: `${base === this.base ? "Marathon" : "the Mesos agent"} at ${base} (${method} ${path})`,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }));
  }
}

/** An answer's JSON; a body that is not JSON (a proxy's page) becomes the message of an error body. */
function toMarathonAnswer(answer: HttpAnswer): MarathonAnswer {
  try {
    return { status: answer.status, json: answerJson(answer) };
  } catch {
    return { status: answer.status, json: { message: answer.text.slice(0, 200) } };
  }
}

/** Marathon's error body of an answer (`error.Error`). */
function errorBody(answer: MarathonAnswer): MarathonErrorBody {
  return (answer.json ?? {}) as MarathonErrorBody;
}
