import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/** The `Upgrade` token of UNICORE's port forwarding (UNICORE-EU/use `ForwardingHelper`); NOT a WebSocket. */
export const FORWARDING_UPGRADE = "UNICORE-Socket-Forwarding";

/**
 * The live forwarded connections of the emulator: each is a client socket (after the HTTP 101)
 * spliced to a TCP connection to the job's service, as UNICORE's `Jobs.startForwarding` +
 * `RestServlet` do.
 */
export class ForwardedConnections {
  private readonly live = new Set<{ client: Duplex; service: Socket }>();
  opened = 0;

  get count(): number {
    return this.live.size;
  }

  /**
   * Connects to `host:port`; on success answers `101 Switching Protocols` and splices the two
   * sockets; on failure answers an HTTP error with UNICORE's `errorMessage`.
   */
  open(client: Duplex, head: Buffer, host: string, port: number): void {
    const service = connect({ host, port });
    const pair = { client, service };
    service.once("error", (error) => {
      if (this.live.has(pair)) return;
      writeHttpError(client, 500, `Could not connect to backend service: ${error.message}`);
    });
    service.once("connect", () => {
      this.live.add(pair);
      this.opened++;
      client.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${FORWARDING_UPGRADE}\r\nConnection: Upgrade\r\n\r\n`);
      if (head.length > 0) service.write(head);
      client.pipe(service);
      service.pipe(client);
      const close = () => {
        this.live.delete(pair);
        client.destroy();
        service.destroy();
      };
      client.on("close", close);
      service.on("close", close);
      client.on("error", close);
      service.on("error", close);
    });
  }

  /** Cuts every forwarded connection (both ends), as a dropped gateway connection would. */
  dropAll(): number {
    const n = this.live.size;
    for (const { client, service } of [...this.live]) {
      client.destroy();
      service.destroy();
    }
    this.live.clear();
    return n;
  }
}

/** Writes a complete HTTP error response on a raw socket (for refused upgrades) and closes it. */
export function writeHttpError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ errorMessage: message, status });
  const reason = status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : status === 404 ? "Not Found" : status === 432 ? "Security Session Expired" : "Server Error";
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
