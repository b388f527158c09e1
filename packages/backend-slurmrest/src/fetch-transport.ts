import { HttpJson, type Fetch } from "@daskq/core";
import type { HttpAnswer, HttpRequest, HttpTransport } from "./http-transport.js";

/** Requests over TCP (http or https) with `fetch`, through core's `HttpJson`. */
export class FetchTransport implements HttpTransport {
  readonly endpoint: string;
  private readonly base: string;
  private readonly http: HttpJson;

  /**
   * @param baseUrl slurmrestd's address, e.g. `http://login1:6820` (a path prefix is kept, for proxies).
   * @param timeoutMs per request.
   * @param connection another way to connect (see `UnixSocketTransport`): the `fetch` to use and the endpoint messages name.
   */
  constructor(baseUrl: string, timeoutMs: number, connection?: { readonly endpoint: string; readonly fetch: Fetch }) {
    this.base = baseUrl.replace(/\/+$/, "");
    this.endpoint = connection?.endpoint ?? this.base;
    this.http = new HttpJson({ component: "slurmrest", service: "slurmrestd", timeoutMs, ...(connection ? { fetch: connection.fetch } : {}) });
  }

  async send(request: HttpRequest): Promise<HttpAnswer> {
    const answer = await this.http.send({
      method: request.method,
      url: `${this.base}${request.path}`,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      target: `slurmrestd at ${this.endpoint} (${request.method} ${request.path})`,
    });
    return { status: answer.status, body: answer.text };
  }
}
