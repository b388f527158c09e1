import { DaskqError } from "../errors.js";

/** A parsed Dask address such as `tcp://10.0.0.1:8786` or `tls://[::1]:8786`. */
export interface DaskAddress {
  readonly protocol: "tcp" | "tls";
  readonly host: string;
  readonly port: number;
}

/** Parses `tcp://host:port` / `tls://host:port` (a bare `host:port` means tcp). */
export function parseAddress(address: string): DaskAddress {
  const match = /^(?:(tcp|tls):\/\/)?(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(address.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new DaskqError(
      "scheduler",
      `'${address}' is not a Dask scheduler address; expected tcp://HOST:PORT or tls://HOST:PORT (e.g. tcp://10.0.0.5:8786)`,
    );
  }
  const host = (match[2] as string).replace(/^\[(.*)\]$/, "$1");
  return { protocol: (match[1] as "tcp" | "tls" | undefined) ?? "tcp", host, port };
}

/** Formats an address back to Dask's form. */
export function formatAddress(address: DaskAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${address.protocol}://${host}:${address.port}`;
}
