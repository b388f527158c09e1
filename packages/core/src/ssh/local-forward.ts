import { createServer, type Server, type Socket } from "node:net";
import type { Client } from "ssh2";
import type { Logger } from "../logger.js";
import type { LocalForward } from "../runner/command-runner.js";

/**
 * Listens on 127.0.0.1:`localPort` (0: a free port) and forwards each accepted connection as a
 * `direct-tcpip` channel of the SSH connection that `client()` yields, to `remoteHost:remotePort` as
 * seen from the server. The port stays the same across reconnections: a connection accepted while
 * SSH is down is closed at once (Dask clients then retry), and later ones use the new connection.
 */
export async function openLocalForward(
  client: () => Promise<Client>,
  remoteHost: string,
  remotePort: number,
  logger: Logger,
  localPort = 0,
): Promise<LocalForward> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.pause();
    client().then(
      (ssh) =>
        ssh.forwardOut("127.0.0.1", socket.remotePort ?? 0, remoteHost, remotePort, (error, channel) => {
          if (error) {
            logger.debug(`ssh: forward to ${remoteHost}:${remotePort} refused: ${error.message}`);
            socket.destroy();
            return;
          }
          if (socket.destroyed) {
            channel.close();
            return;
          }
          channel.on("error", () => socket.destroy());
          channel.on("close", () => socket.destroy());
          socket.on("close", () => channel.close());
          socket.pipe(channel).pipe(socket);
          socket.resume();
        }),
      (error: Error) => {
        logger.debug(`ssh: forward to ${remoteHost}:${remotePort} not possible now: ${error.message}`);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(localPort, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : localPort;
  return {
    host: "127.0.0.1",
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
