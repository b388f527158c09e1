import { createHash, createHmac } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { DaskqError } from "../errors.js";

/** What known_hosts says about a server's key. */
export type HostKeyVerdict =
  | { readonly kind: "known"; readonly file: string }
  | { readonly kind: "unknown" }
  | { readonly kind: "changed"; readonly file: string; readonly line: number }
  | { readonly kind: "revoked"; readonly file: string; readonly line: number };

/** A host key as the server sent it: the SSH wire blob. */
export interface HostKey {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  readonly type: string;
  /** The key blob, base64 (what known_hosts stores). */
  readonly base64: string;
  /** `SHA256:...`, as OpenSSH prints fingerprints. */
  readonly fingerprint: string;
}

interface Entry {
  readonly file: string;
  readonly line: number;
  readonly marker: string | undefined;
  readonly hosts: string;
  readonly type: string;
  readonly base64: string;
}

/** Reads the type and fingerprint of a raw host key blob (as ssh2 hands it to the host verifier). */
export function describeHostKey(blob: Buffer): HostKey {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + length).toString("ascii");
  const digest = createHash("sha256").update(blob).digest("base64");
  return { type, base64: blob.toString("base64"), fingerprint: `SHA256:${digest.replace(/=+$/, "")}` };
}

/**
 * The name a host has in known_hosts: `host` on port 22, else `[host]:port` (OpenSSH's rule).
 * `HostKeyAlias` replaces host and port.
 */
export function knownHostsName(host: string, port: number, alias?: string): string {
  if (alias) return alias;
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * OpenSSH's known_hosts files: plain and hashed (`|1|salt|hash`) host names, patterns with `*`, `?`
 * and `!`, and the `@revoked` marker (`@cert-authority` lines are skipped: daskq does not take host
 * certificates). Missing files are empty.
 */
export class KnownHosts {
  private constructor(private readonly entries: readonly Entry[]) {}

  /** Reads the files (missing ones are skipped). */
  static async read(files: readonly string[]): Promise<KnownHosts> {
    const entries: Entry[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        if (["ENOENT", "ENOTDIR"].includes((error as NodeJS.ErrnoException).code ?? "")) continue;
        throw new DaskqError("ssh", `cannot read known hosts file ${file}: ${(error as Error).message}`, { cause: error });
      }
      text.split("\n").forEach((raw, index) => {
        const fields = raw.trim().split(/\s+/);
        if (fields[0] === "" || fields[0]?.startsWith("#")) return;
        const marker = fields[0]?.startsWith("@") ? fields.shift() : undefined;
        const [hosts, type, base64] = fields;
        if (!hosts || !type || !base64) return;
        entries.push({ file, line: index + 1, marker, hosts, type, base64 });
      });
    }
    return new KnownHosts(entries);
  }

  /** Key types recorded for `name`, to prefer them when negotiating (as OpenSSH does). */
  keyTypes(name: string): string[] {
    return [...new Set(this.entries.filter((e) => e.marker === undefined && hostsMatch(e.hosts, name)).map((e) => e.type))];
  }

  /**
   * Checks a server's key: `known` when a line for `name` holds it, `revoked` when an `@revoked`
   * line holds it, `changed` when `name` is recorded with another key of the same type, else `unknown`.
   */
  check(name: string, key: HostKey): HostKeyVerdict {
    const revoked = this.entries.find((e) => e.marker === "@revoked" && e.base64 === key.base64);
    if (revoked) return { kind: "revoked", file: revoked.file, line: revoked.line };
    const forHost = this.entries.filter((e) => e.marker === undefined && hostsMatch(e.hosts, name));
    const same = forHost.find((e) => e.type === key.type && e.base64 === key.base64);
    if (same) return { kind: "known", file: same.file };
    const other = forHost.find((e) => e.type === key.type);
    if (other) return { kind: "changed", file: other.file, line: other.line };
    return { kind: "unknown" };
  }
}

/** Appends `name type key` to `file` (creating it and its directory, mode 0700 / 0600). */
export async function recordHostKey(file: string, name: string, key: HostKey): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let before = "";
  try {
    before = await readFile(file, "utf8");
  } catch {
    // a new file
  }
  const separator = before === "" || before.endsWith("\n") ? "" : "\n";
  await appendFile(file, `${separator}${name} ${key.type} ${key.base64}\n`, { mode: 0o600 });
}

/** Whether a known_hosts host field (comma-separated patterns or one hashed name) matches `name`. */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith("|1|")) {
    const [, , salt, hash] = hosts.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  let matched = false;
  for (const pattern of hosts.split(",")) {
    const negated = pattern.startsWith("!");
    if (!globMatch(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\[/g, "\\[").replace(/\]/g, "\\]").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "i").test(name);
}
