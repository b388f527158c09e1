import { readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { isAbsolute, join } from "node:path";
import SSHConfig from "ssh-config";
import { DaskqError } from "../errors.js";
import { parseSshDestination, type SshDestination } from "./ssh-destination.js";

/** How unknown host keys are treated. A CHANGED key is always refused. */
export type HostKeyPolicy = "strict" | "accept-new";

/** Everything needed to reach one SSH server, after `~/.ssh/config` was applied. */
export interface SshEndpoint {
  /** The host as the user wrote it (maybe an alias); used in messages. */
  readonly name: string;
  /** The real host name or address (`HostName`). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Key files from `IdentityFile`, `~` and `%` tokens expanded, in order. */
  readonly identityFiles: readonly string[];
  /** `IdentitiesOnly yes`: do not add the default key files. */
  readonly identitiesOnly: boolean;
  /** The agent socket (`IdentityAgent`, else `$SSH_AUTH_SOCK`); undefined: no agent. */
  readonly agent: string | undefined;
  /** `ProxyJump` hops, first to last; empty for a direct connection. */
  readonly proxyJump: readonly SshDestination[];
  /** `UserKnownHostsFile` (the first one is where new keys are recorded) then `GlobalKnownHostsFile`. */
  readonly knownHostsFiles: readonly string[];
  /** `HostKeyAlias`: the name looked up in known_hosts instead of host and port. */
  readonly hostKeyAlias: string | undefined;
  /** From `StrictHostKeyChecking` (`accept-new` and `no` accept an unknown key); the caller may override it. */
  readonly hostKeyPolicy: HostKeyPolicy;
  /** `ServerAliveInterval` in ms (daskq's default 15 s); 0 disables keepalive. */
  readonly keepaliveIntervalMs: number;
  /** `ServerAliveCountMax` (default 3). */
  readonly keepaliveCountMax: number;
  /** `ConnectTimeout` in ms (default 30 s). */
  readonly connectTimeoutMs: number;
}

/** Where to read OpenSSH's files from (tests point these at a private directory). */
export interface SshConfigSources {
  /** The client config file; default `~/.ssh/config`. A missing file is no error. */
  readonly configFile?: string;
  /** The local home directory; default the user's. */
  readonly homeDir?: string;
  /** Environment (for `SSH_AUTH_SOCK`); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Resolves a destination through the OpenSSH client config, as `ssh` would: `Host` sections
 * (first value wins), HostName, User, Port, IdentityFile, IdentitiesOnly, IdentityAgent, ProxyJump,
 * UserKnownHostsFile, GlobalKnownHostsFile, HostKeyAlias, StrictHostKeyChecking, ServerAliveInterval,
 * ServerAliveCountMax and ConnectTimeout. A user or port written in the destination wins over the file.
 * `Match exec` lines are not run.
 *
 * @throws DaskqError naming the config file when it cannot be read or a value is malformed.
 */
export function resolveSshEndpoint(destination: SshDestination, sources: SshConfigSources = {}): SshEndpoint {
  const home = sources.homeDir ?? homedir();
  const env = sources.env ?? process.env;
  const configFile = sources.configFile ?? join(home, ".ssh", "config");
  const values = readConfig(configFile).compute(destination.host, { ignoreCase: true, matchExec: false });
  const one = (key: string): string | undefined => {
    const v = values[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const many = (key: string): string[] => {
    const v = values[key];
    return v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/\s+/)).filter((s) => s !== "");
  };
  const bad = (key: string, value: string, expected: string): never => {
    throw new DaskqError("ssh", `${configFile}: Host ${destination.host}: ${key} "${value}": expected ${expected}`);
  };
  const number = (key: string, fallback: number): number => {
    const text = one(key.toLowerCase());
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) bad(key, text, "a whole number");
    return Number(text);
  };

  const host = expandHostName(one("hostname") ?? destination.host, destination.host);
  const user = destination.user ?? one("user") ?? userInfo().username;
  const port = destination.port ?? number("Port", 22);
  if (port < 1 || port > 65535) bad("Port", String(port), "a port from 1 to 65535");
  const expand = (path: string) => expandPath(path, { home, user, host, localUser: userInfo().username });

  const jump = one("proxyjump");
  const proxyJump =
    jump === undefined || jump.toLowerCase() === "none"
      ? []
      : jump.split(",").map((hop) => parseSshDestination(hop.replace(/^ssh:\/\//, ""), `${configFile}: Host ${destination.host}: ProxyJump`));

  const agentSetting = one("identityagent");
  const agent =
    agentSetting === undefined || agentSetting === "SSH_AUTH_SOCK"
      ? env["SSH_AUTH_SOCK"] || undefined
      : agentSetting.toLowerCase() === "none"
        ? undefined
        : agentSetting.startsWith("$")
          ? env[agentSetting.slice(1)] || undefined
          : expand(agentSetting);

  const strict = (one("stricthostkeychecking") ?? "ask").toLowerCase();
  if (!["yes", "no", "ask", "accept-new", "off", "true", "false"].includes(strict)) bad("StrictHostKeyChecking", strict, "yes, accept-new, no or ask");
  const userKnown = many("userknownhostsfile");
  const globalKnown = many("globalknownhostsfile");

  return {
    name: destination.host,
    host,
    port,
    user,
    identityFiles: many("identityfile").map(expand),
    identitiesOnly: (one("identitiesonly") ?? "no").toLowerCase() === "yes",
    agent,
    proxyJump,
    knownHostsFiles: [
      ...(userKnown.length > 0 ? userKnown : ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]).map(expand),
      ...(globalKnown.length > 0 ? globalKnown : ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]).map(expand),
    ].filter((f) => f.toLowerCase() !== "none"),
    hostKeyAlias: one("hostkeyalias"),
    hostKeyPolicy: ["accept-new", "no", "off", "false"].includes(strict) ? "accept-new" : "strict",
    keepaliveIntervalMs: number("ServerAliveInterval", 15) * 1000,
    keepaliveCountMax: number("ServerAliveCountMax", 3),
    connectTimeoutMs: number("ConnectTimeout", 30) * 1000,
  };
}

function readConfig(path: string): SSHConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new SSHConfig();
    throw new DaskqError("ssh", `cannot read the SSH client config ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return SSHConfig.parse(text);
  } catch (error) {
    throw new DaskqError("ssh", `cannot parse the SSH client config ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** `HostName` may contain `%h` (the name given) and `%%`. */
function expandHostName(value: string, given: string): string {
  return value.replace(/%([h%])/g, (_, t: string) => (t === "h" ? given : "%"));
}

/** Expands a leading `~` and the tokens %d (home), %u (local user), %r (remote user), %h (host) and %%. */
function expandPath(path: string, t: { home: string; user: string; host: string; localUser: string }): string {
  const tokens: Record<string, string> = { d: t.home, u: t.localUser, r: t.user, h: t.host, "%": "%" };
  let out = path.replace(/%([durh%])/g, (_, k: string) => tokens[k] as string);
  if (out === "~") out = t.home;
  else if (out.startsWith("~/")) out = join(t.home, out.slice(2));
  return isAbsolute(out) || out.toLowerCase() === "none" ? out : join(t.home, ".ssh", out);
}
