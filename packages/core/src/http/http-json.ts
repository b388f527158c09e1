import { AuthenticationError, DaskqError } from "../errors.js";
import { UnreachableError } from "./unreachable-error.js";

/** The `fetch` a client sends with: the global one, or one made by `fetchWithConnection`. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** One request to a JSON API. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  /** Sent as they are; `Accept: application/json` unless they set an Accept. */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON text, sent with `Content-Type: application/json` (unless the headers set one). */
  readonly body?: string;
  /** How messages name the request, e.g. `GET /v2/apps/x`. Default: `<method> <url>`, the URL without user info. */
  readonly name?: string;
  /**
   * What "cannot reach ..." names, e.g. `Marathon at http://m:8080 (GET /v2/apps)`. Default:
   * `<service> at <url>`, the URL without user info.
   */
  readonly target?: string;
}

/** The server's answer, read whole. Error statuses are answers too (all but refused credentials). */
export interface HttpAnswer {
  readonly status: number;
  /** The reason phrase, e.g. `Bad Gateway` (empty over HTTP/2). */
  readonly statusText: string;
  readonly headers: Headers;
  readonly text: string;
}

/** Settings of an `HttpJson`. */
export interface HttpJsonOptions {
  /** The component errors name: `[daskq:<component>]`, e.g. `marathon`. */
  readonly component: string;
  /** What the requests reach, for messages: `Marathon`, `UNICORE`, `slurmrestd`. */
  readonly service: string;
  /** Time one request may take, answer included. */
  readonly timeoutMs: number;
  /** Default: the global `fetch`. */
  readonly fetch?: Fetch;
  /**
   * The message of the `AuthenticationError` thrown for an answer with status 401 or 403 (the
   * credentials were refused), e.g. which keys to check. Without it such answers are returned.
   */
  readonly refusal?: (answer: HttpAnswer, request: HttpRequest) => string;
}

/**
 * The HTTP plumbing the REST backends (Marathon, UNICORE, slurmrestd) share: a timeout per
 * request, JSON headers, the answer read whole, a transport failure as an `UnreachableError`
 * ("cannot reach <service> at <url>: <why>") and refused credentials (401/403) as core's
 * `AuthenticationError`, both naming the backend. What is specific to one API (retries, its
 * error bodies) stays in its backend.
 */
export class HttpJson {
  private readonly fetch: Fetch;

  constructor(private readonly options: HttpJsonOptions) {
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  /**
   * Sends `request` and reads the answer.
   *
   * @throws UnreachableError when no answer came (refused connection, TLS failure, timeout).
   * @throws AuthenticationError for 401/403 when the options say how to describe a refusal.
   */
  async send(request: HttpRequest): Promise<HttpAnswer> {
    const headers = new Headers(request.headers);
    if (!headers.has("accept")) headers.set("accept", "application/json");
    if (request.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    let answer: HttpAnswer;
    try {
      const response = await this.fetch(request.url, {
        method: request.method,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      answer = { status: response.status, statusText: response.statusText, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (error instanceof DaskqError) throw error;
      const target = request.target ?? `${this.options.service} at ${withoutUserInfo(request.url)}`;
      throw new UnreachableError(this.options.component, target, this.options.timeoutMs, error);
    }
    if (refusedCredentials(answer.status) && this.options.refusal) {
      throw new AuthenticationError(this.options.component, this.options.refusal(answer, request));
    }
    return answer;
  }
}

/** Whether an HTTP status says the credentials were refused (401 Unauthorized, 403 Forbidden). */
export function refusedCredentials(status: number): boolean {
  return status === 401 || status === 403;
}

/** How messages name a request: its `name`, else `<method> <url>` without user info. */
export function requestName(request: HttpRequest): string {
  return request.name ?? `${request.method} ${withoutUserInfo(request.url)}`;
}

/**
 * The answer's body as JSON: undefined when it is empty.
 *
 * @throws SyntaxError when it is not JSON (each API reports that in its own words).
 */
export function answerJson(answer: HttpAnswer): unknown {
  return answer.text === "" ? undefined : (JSON.parse(answer.text) as unknown);
}

/** A URL without any user info, for messages. */
export function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}
