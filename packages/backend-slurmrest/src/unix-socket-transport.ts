import { fetchWithConnection } from "@daskq/core";
import { FetchTransport } from "./fetch-transport.js";

/**
 * Requests over slurmrestd's local unix socket (`slurmrestd unix:/path`, auth `rest_auth/local`): no
 * token; slurmrestd accepts a client running as its own user (or root) and acts as ITS user.
 * The global `fetch` cannot dial a unix socket, so this one connects through core's
 * `fetchWithConnection` (undici with `socketPath`).
 */
export class UnixSocketTransport extends FetchTransport {
  /**
   * @param socketPath the socket slurmrestd listens on.
   * @param timeoutMs per request.
   */
  constructor(socketPath: string, timeoutMs: number) {
    const socketFetch = fetchWithConnection({ socketPath });
    super("http://localhost", timeoutMs, { endpoint: `unix:${socketPath}`, fetch: async (url, init) => (await socketFetch)(url, init) });
  }
}
