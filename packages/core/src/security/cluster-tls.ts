import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import { writeFileAtomic } from "../atomic-file.js";
import type { TlsFiles } from "../scheduler/dask-comm.js";
import { createClusterCertificates, type TlsPem } from "./cluster-certificates.js";

/** A cluster's TLS material: the PEM texts and the files on this machine that hold them. */
export interface ClusterTls {
  readonly pem: TlsPem;
  readonly files: Required<TlsFiles>;
  /** The private directory daskq made for them (removed on close); undefined for a user's own files. */
  readonly directory: string | undefined;
}

/** TLS for a cluster: on with certificates daskq makes (default), off, or the user's own files. */
export type TlsSetting = boolean | TlsFiles;

/**
 * Creates the cluster's certificates (see `createClusterCertificates`) in a new private directory
 * `directory` (mode 0700; files `ca.pem`, `cert.pem`, `key.pem`, mode 0600).
 */
export async function createClusterTls(directory: string, clusterId: string): Promise<ClusterTls> {
  const pem = await createClusterCertificates(clusterId);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
  const files = { ca: join(directory, "ca.pem"), cert: join(directory, "cert.pem"), key: join(directory, "key.pem") };
  try {
    await writeFileAtomic(files.ca, pem.ca);
    await writeFileAtomic(files.cert, pem.cert);
    await writeFileAtomic(files.key, pem.key);
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return { pem, files, directory };
}

/**
 * The user's own TLS files (e.g. to attach to a scheduler that uses them): all three are needed,
 * because distributed asks every peer for a certificate.
 *
 * @throws ConfigError naming the missing or unreadable file.
 */
export async function readUserTls(files: TlsFiles): Promise<ClusterTls> {
  const read = async (name: keyof TlsFiles, flag: string): Promise<string> => {
    const path = files[name];
    if (!path) throw new ConfigError(`TLS needs ${flag} too (the CA certificate, and the certificate and key daskq and the workers present)`, { source: "option", keyPath: flag });
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`, { source: "option", keyPath: flag });
    }
  };
  const pem = { ca: await read("ca", "tls-ca-file"), cert: await read("cert", "tls-cert"), key: await read("key", "tls-key") };
  return { pem, files: { ca: files.ca as string, cert: files.cert as string, key: files.key as string }, directory: undefined };
}

/**
 * Environment variables with which a Python `Client()` (and any dask config reader) uses the
 * cluster's TLS material: distributed's `comm.tls.*` config keys as DASK_ variables.
 */
export function clientTlsEnv(tls: ClusterTls): Record<string, string> {
  return {
    DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION: "True",
    DASK_DISTRIBUTED__COMM__TLS__CA_FILE: tls.files.ca,
    DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT: tls.files.cert,
    DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY: tls.files.key,
  };
}

/** The dask_scheduler / dask_worker arguments for these files. */
export function tlsArguments(files: Required<TlsFiles>): string[] {
  return ["--tls-ca-file", files.ca, "--tls-cert", files.cert, "--tls-key", files.key];
}
