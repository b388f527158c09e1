import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { DaskqError } from "@daskq/core";
import { staticAsset } from "./status-assets.js";
import { STATUS_PAGE_HTML } from "./status-page.js";

/** Options of `StatusServer.start`. */
export interface StatusServerOptions {
  /** What the page and `status.json` show; called at most once per update for all viewers. */
  readonly report: () => Promise<unknown>;
  /** Address to bind. Default `127.0.0.1`: the page shows job output, keep it off the network. */
  readonly host?: string;
  /** Port; default 0 (any free port). */
  readonly port?: number;
  /** The secret every request must carry (`?token=` or `Authorization: Bearer`); default 24 random bytes. */
  readonly token?: string;
  /** Time between live updates sent to open pages, ms. Default 1000. */
  readonly updateIntervalMs?: number;
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

/**
 * The status page over HTTP (node:http). Routes, relative so that a proxy prefix such as
 * JupyterHub's `/user/alice/proxy/<port>/` works unchanged:
 * - `GET /status` the page, `GET /status.json` the same data as JSON,
 * - `GET /status/events` live updates (server-sent events, one JSON report per update),
 * - `GET /status/assets/<file>` the chart library, read from its npm package.
 * Every route but the assets needs the token: 401 without one, 403 with a wrong one.
 */
export class StatusServer {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private pending: Promise<string> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: StatusServerOptions,
    /** The secret every request must carry. */
    readonly token: string,
  ) {
    server.on("request", (request, response) => this.handle(request, response));
    this.timer = setInterval(() => void this.broadcast(), options.updateIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Starts listening; rejects with a `DaskqError` when the address cannot be bound. */
  static async start(options: StatusServerOptions): Promise<StatusServer> {
    const server = createServer();
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error) => reject(new DaskqError("status", `cannot serve the status page on ${host}:${options.port ?? 0}: ${error.message}`, { cause: error })));
      server.listen(options.port ?? 0, host, () => resolve());
    });
    return new StatusServer(server, options, options.token ?? randomBytes(24).toString("base64url"));
  }

  /** The port it listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The host name for links: the bound address, or this machine's name when bound to all addresses. */
  get host(): string {
    const bound = (this.server.address() as AddressInfo).address;
    return bound === "0.0.0.0" || bound === "::" ? hostname() : bound;
  }

  /** Stops serving and ends the open live updates. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const client of this.clients) client.end();
    this.clients.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://status.invalid");
    if (request.method !== "GET" && request.method !== "HEAD") return this.send(response, 405, "text/plain", "method not allowed\n", { allow: "GET, HEAD" });
    const assetName = url.pathname.startsWith("/status/assets/") ? url.pathname.slice("/status/assets/".length) : undefined;
    if (assetName !== undefined) {
      const asset = staticAsset(assetName);
      if (!asset) return this.send(response, 404, "text/plain", "not found\n");
      return this.send(response, 200, asset.contentType, asset.body, { "cache-control": "max-age=3600" });
    }
    if (!["/status", "/status.json", "/status/events"].includes(url.pathname)) return this.send(response, 404, "text/plain", "not found\n");
    const denied = this.checkToken(request, url);
    if (denied) return this.send(response, denied, "text/plain", denied === 401 ? "a token is required: open the link daskq printed\n" : "wrong token\n", denied === 401 ? { "www-authenticate": "Bearer" } : {});
    if (url.pathname === "/status") return this.send(response, 200, "text/html; charset=utf-8", STATUS_PAGE_HTML);
    if (url.pathname === "/status.json") {
      this.currentReport().then(
        (json) => this.send(response, 200, "application/json", json),
        (error: Error) => this.send(response, 500, "text/plain", `${error.message}\n`),
      );
      return;
    }
    this.openEvents(response);
  }

  private checkToken(request: IncomingMessage, url: URL): 401 | 403 | undefined {
    const header = request.headers.authorization;
    const given = url.searchParams.get("token") ?? (header?.startsWith("Bearer ") ? header.slice(7) : undefined);
    if (!given) return 401;
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b) ? undefined : 403;
  }

  private openEvents(response: ServerResponse): void {
    response.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream", connection: "keep-alive", "x-accel-buffering": "no" });
    response.write("retry: 2000\n\n");
    this.clients.add(response);
    response.on("close", () => this.clients.delete(response));
    this.currentReport().then((json) => response.write(`data: ${json}\n\n`), () => undefined);
  }

  private async broadcast(): Promise<void> {
    if (this.clients.size === 0) return;
    let json: string;
    try {
      json = await this.currentReport();
    } catch {
      return; // the next update tries again; status.json shows the error
    }
    for (const client of this.clients) client.write(`data: ${json}\n\n`);
  }

  /** One report at a time, shared by everyone asking meanwhile. */
  private currentReport(): Promise<string> {
    this.pending ??= this.options
      .report()
      .then((report) => JSON.stringify(report))
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private send(response: ServerResponse, code: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    response.writeHead(code, { ...SECURITY_HEADERS, "content-type": contentType, ...headers });
    response.end(response.req.method === "HEAD" ? undefined : body);
  }
}
