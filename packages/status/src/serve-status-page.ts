import type { JobQueueCluster } from "@daskq/core";
import { StatusRecorder, type StatusRecorderOptions } from "./status-recorder.js";
import { StatusServer, type StatusServerOptions } from "./status-server.js";

/** Options of `serveStatusPage`. */
export interface StatusPageOptions extends Omit<StatusServerOptions, "report">, StatusRecorderOptions {}

/** A status page being served; `close()` stops it (closing the cluster does too). */
export interface StatusPage {
  /** `http://host:port/status?token=...` on this machine. */
  readonly url: string;
  /** The same page through Dask's `distributed.dashboard.link` template (e.g. behind JupyterHub), with the token. */
  readonly link: string;
  readonly token: string;
  readonly port: number;
  /** The report the page shows, now. */
  report: StatusRecorder["report"];
  close(): Promise<void>;
}

/**
 * Serves the live status page of a cluster (opt-in for library users; `daskq up` does it by
 * default), bound to 127.0.0.1 unless `host` says otherwise, with a random token in its URL.
 *
 * ```ts
 * const page = await serveStatusPage(cluster);
 * console.log(page.link);   // http://127.0.0.1:41234/status?token=...
 * ```
 */
export async function serveStatusPage(cluster: JobQueueCluster, options: StatusPageOptions = {}): Promise<StatusPage> {
  const recorder = new StatusRecorder(cluster, options);
  let server: StatusServer;
  try {
    server = await StatusServer.start({ ...options, report: () => recorder.report() });
  } catch (error) {
    recorder.close();
    throw error;
  }
  const withToken = (link: string) => `${link}${link.includes("?") ? "&" : "?"}token=${server.token}`;
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      cluster.off("closed", close);
      recorder.close();
      await server.close();
    })();
    return closing;
  };
  cluster.once("closed", close);
  return {
    url: withToken(`http://${host}:${server.port}/status`),
    link: withToken(cluster.formatLink({ host: server.host, port: server.port })),
    token: server.token,
    port: server.port,
    report: () => recorder.report(),
    close,
  };
}
