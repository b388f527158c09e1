import { rm } from "node:fs/promises";
import { posix } from "node:path";
import { ConfigError } from "../errors.js";
import { writeFileAtomic } from "../atomic-file.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { parseAddress } from "../scheduler/address.js";
import { shellQuote } from "../shell-quote.js";
import { clientTlsEnv, createClusterTls, readUserTls, tlsArguments, type ClusterTls, type TlsSetting } from "./cluster-tls.js";

/**
 * The TLS material of a new cluster: the user's own files when given; none when TLS is off or
 * when attaching to a `tcp://` scheduler; else fresh certificates in `directory`.
 *
 * @throws ConfigError when attaching to a `tls://` scheduler without the user's certificates.
 */
export async function resolveClusterTls(setting: TlsSetting | undefined, attachTo: string | undefined, directory: string, clusterId: string): Promise<ClusterTls | undefined> {
  if (attachTo !== undefined && parseAddress(attachTo).protocol === "tcp") return undefined;
  if (typeof setting === "object") return readUserTls(setting);
  if (attachTo !== undefined) {
    throw new ConfigError(`attaching to ${attachTo} needs that scheduler's TLS files: tls-ca-file, tls-cert and tls-key (CLI: --tls-ca-file, --tls-cert, --tls-key)`, { source: "option", keyPath: "scheduler-address" });
  }
  return setting === false ? undefined : createClusterTls(directory, clusterId);
}

/**
 * The scheduler's TLS arguments. A scheduler on another machine (remote placement) gets the files
 * written there, in a private directory made through `runner` (mode 0600).
 */
export async function schedulerTlsArguments(tls: ClusterTls, remote: CommandRunner | undefined): Promise<string[]> {
  if (!remote) return tlsArguments(tls.files);
  const dir = await remote.makeTempDir("daskq-tls-");
  const files = { ca: posix.join(dir, "ca.pem"), cert: posix.join(dir, "cert.pem"), key: posix.join(dir, "key.pem") };
  await remote.writeFile(files.ca, tls.pem.ca, { mode: 0o600 });
  await remote.writeFile(files.cert, tls.pem.cert, { mode: 0o600 });
  await remote.writeFile(files.key, tls.pem.key, { mode: 0o600 });
  return tlsArguments(files);
}

/**
 * Writes `client.env` beside daskq's own TLS files: `. client.env` (or `set -a; . client.env`)
 * gives a shell everything a Python `Client()` needs, the scheduler address included.
 * Resolves its path; undefined for a user's own files (daskq writes nothing beside them).
 */
export async function writeClientEnvFile(tls: ClusterTls, schedulerAddress: string): Promise<string | undefined> {
  if (!tls.directory) return undefined;
  const path = posix.join(tls.directory, "client.env");
  const env = { DASK_SCHEDULER_ADDRESS: schedulerAddress, ...clientTlsEnv(tls) };
  await writeFileAtomic(path, Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join(""));
  return path;
}

/** Removes daskq's own TLS directory (never a user's files). */
export async function removeClusterTls(tls: ClusterTls | undefined): Promise<void> {
  if (tls?.directory) await rm(tls.directory, { recursive: true, force: true });
}
