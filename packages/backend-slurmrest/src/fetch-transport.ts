import { DaskqError } from "@daskq/core";
import type { HttpAnswer, HttpRequest, HttpTransport } from "./http-transport.js";

/** Requests over TCP (http or https) with the global `fetch`. */
export class FetchTransport implements HttpTransport {
  readonly endpoint: string;

  /**
   * @param baseUrl slurmrestd's address, e.g. `http://login1:6820` (a path prefix is kept, for proxies).
   * @param timeoutMs per request.
   */
  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = baseUrl.replace(/\/+$/, "");
  }

  async send(request: HttpRequest): Promise<HttpAnswer> {
    try {
      const response = await fetch(`${this.endpoint}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      const cause = error as Error & { cause?: { message?: string } };
      const why = cause.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : (cause.cause?.message ?? cause.message);
      throw new DaskqError("slurmrest", `cannot reach slurmrestd at ${this.endpoint} (${request.method} ${request.path}): ${why}`, { cause: error });
    }
  }
}
