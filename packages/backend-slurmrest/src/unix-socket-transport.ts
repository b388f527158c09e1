import { request as httpRequest } from "node:http";
import { DaskqError } from "@daskq/core";
import type { HttpAnswer, HttpRequest, HttpTransport } from "./http-transport.js";

/**
 * Requests over slurmrestd's local unix socket (`slurmrestd unix:/path`, auth `rest_auth/local`): no
 * token; slurmrestd accepts a client running as its own user (or root) and acts as ITS user.
 * `fetch` cannot dial a unix socket without extra packages, so this uses `node:http`.
 */
export class UnixSocketTransport implements HttpTransport {
  readonly endpoint: string;

  /**
   * @param socketPath the socket slurmrestd listens on.
   * @param timeoutMs per request.
   */
  constructor(
    private readonly socketPath: string,
    private readonly timeoutMs: number,
  ) {
    this.endpoint = `unix:${socketPath}`;
  }

  send(request: HttpRequest): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const fail = (why: string, cause?: unknown) =>
        reject(new DaskqError("slurmrest", `cannot reach slurmrestd at ${this.endpoint} (${request.method} ${request.path}): ${why}`, { cause }));
      const headers: Record<string, string> = { ...request.headers, host: "localhost" };
      if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
      const req = httpRequest({ socketPath: this.socketPath, path: request.path, method: request.method, headers, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (error) => fail(error.message, error));
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on("error", (error) => fail(error.message, error));
      req.end(request.body);
    });
  }
}
