import { createServer, type Server, type Socket } from "node:net";
import { silentLogger, type Logger } from "@daskq/core";
import { UnicoreError } from "./unicore-error.js";
import { openForward, type ForwardTarget } from "./socket-forward.js";

/**
 * A local TCP listener whose every connection is carried to a service on the site through its
 * own UNICORE forwarded connection (as pyunicore's `Forwarder.run`). A forwarded connection that
 * drops closes only its local twin; the next connection (Dask's clients reconnect) opens a fresh
 * forward, so the forward is reopened on demand. `close()` ends the listener and every connection.
 */
export class PortForwarder {
  private readonly pairs = new Set<{ local: Socket; remote?: Socket }>();
  /** Forwarded connections opened so far. */
  opened = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Listens on `host:port` (port 0: a free one) and forwards to `target`. */
  static async start(
    target: ForwardTarget,
    authorization: () => string,
    options: { host?: string; port?: number; logger?: Logger } = {},
  ): Promise<PortForwarder> {
    const logger = options.logger ?? silentLogger;
    const host = options.host ?? "127.0.0.1";
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(new UnicoreError(`cannot listen on ${host}:${options.port ?? 0} for the forward to ${target.host}:${target.port}: ${error.code === "EADDRINUSE" ? "the port is in use (choose another local-port)" : error.message}`)),
      );
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const forwarder = new PortForwarder(server, host, (server.address() as { port: number }).port);
    server.on("connection", (local) => void forwarder.carry(local, target, authorization, logger));
    return forwarder;
  }

  /** `tcp://host:port`. */
  get address(): string {
    return `tcp://${this.host}:${this.port}`;
  }

  /** Connections being carried now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Cuts every carried connection (both ends) and stops listening. */
  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.local.destroy();
      pair.remote?.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async carry(local: Socket, target: ForwardTarget, authorization: () => string, logger: Logger): Promise<void> {
    const pair: { local: Socket; remote?: Socket } = { local };
    this.pairs.add(pair);
    local.pause();
    local.on("error", () => undefined);
    let remote: Socket;
    try {
      remote = await openForward(target, authorization());
    } catch (error) {
      logger.warn(`${(error as Error).message}; closing the local connection`);
      this.pairs.delete(pair);
      local.destroy();
      return;
    }
    if (local.destroyed || !this.pairs.has(pair)) {
      remote.destroy();
      return;
    }
    pair.remote = remote;
    this.opened++;
    const end = () => {
      this.pairs.delete(pair);
      local.destroy();
      remote.destroy();
    };
    remote.on("error", end);
    local.on("error", end);
    remote.on("close", end);
    local.on("close", end);
    local.pipe(remote);
    remote.pipe(local);
    local.resume();
  }
}
