import type { Fetch } from "./http-json.js";

/** How a `fetchWithConnection` connects, beyond the URL. */
export interface ConnectionSettings {
  /** PEM text of the CA certificates trusted for HTTPS, for a server behind a site's own CA. */
  readonly ca?: string;
  /** A unix socket to send every request to, whatever the URL's host (e.g. slurmrestd's `unix:` listener). */
  readonly socketPath?: string;
}

/**
 * A `fetch` (undici's, the implementation behind Node's global one) whose connections trust `ca`
 * or go to `socketPath`: the global `fetch` can do neither.
 */
export async function fetchWithConnection(settings: ConnectionSettings): Promise<Fetch> {
  const { Agent, fetch } = await import("undici");
  const dispatcher = new Agent({
    connect: { ...(settings.ca === undefined ? {} : { ca: settings.ca }), ...(settings.socketPath === undefined ? {} : { socketPath: settings.socketPath }) },
  });
  return (url, init) => fetch(url, { ...(init as Parameters<typeof fetch>[1]), dispatcher }) as unknown as Promise<Response>;
}
