import { DaskqError } from "../errors.js";

/** A destination as written by a user: `host`, `user@host`, `host:port`, `user@[::1]:port`, or a `~/.ssh/config` alias. */
export interface SshDestination {
  /** Host name, address or `~/.ssh/config` alias. */
  readonly host: string;
  readonly user: string | undefined;
  readonly port: number | undefined;
}

/**
 * Parses `[user@]host[:port]` (IPv6 in brackets: `[::1]:2022`). The host may be a `~/.ssh/config`
 * alias; nothing is resolved here.
 *
 * @param where Names the setting in errors, e.g. `--ssh` or `jobqueue.slurm.ssh`.
 * @throws DaskqError naming `where` when the text is not a destination.
 */
export function parseSshDestination(text: string, where = "ssh destination"): SshDestination {
  const fail = (why: string): never => {
    throw new DaskqError("ssh", `${where}: invalid SSH destination "${text}": ${why}; expected host, user@host, user@host:port or a ~/.ssh/config alias`);
  };
  const trimmed = text.trim();
  if (trimmed === "") fail("it is empty");
  if (/[\s'"`$;&|<>\\]/.test(trimmed)) fail("it contains spaces or shell characters");
  const at = trimmed.lastIndexOf("@");
  const user = at >= 0 ? trimmed.slice(0, at) : undefined;
  if (user !== undefined && (user === "" || user.startsWith("-"))) fail("the user name is empty or starts with -");
  const rest = at >= 0 ? trimmed.slice(at + 1) : trimmed;
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest; // a bare IPv6 address without a port
  } else {
    const colon = rest.indexOf(":");
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    portText = colon >= 0 ? rest.slice(colon + 1) : undefined;
  }
  if (host === "" || host.startsWith("-")) fail("the host is empty or starts with -");
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) fail(`the port "${portText}" is not a number from 1 to 65535`);
  }
  return { host, user, port };
}

/** `user@host:port`, bracketing IPv6 hosts; the parts that are undefined are left out. */
export function formatSshDestination(destination: SshDestination): string {
  const host = destination.host.includes(":") ? `[${destination.host}]` : destination.host;
  return `${destination.user ? `${destination.user}@` : ""}${host}${destination.port ? `:${destination.port}` : ""}`;
}
