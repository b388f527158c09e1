import type { JobQueueCluster } from "@daskq/core";

/**
 * How a Python client connects, as printed by `daskq up`: with TLS, the `Security` object, or
 * the ready-made `client.env` that sets DASK_SCHEDULER_ADDRESS and DASK_DISTRIBUTED__COMM__TLS__*.
 */
export function connectInstructions(cluster: JobQueueCluster): string[] {
  const address = cluster.schedulerAddress;
  const tls = cluster.security;
  if (!tls) return [`Connect with: Client("${address}")   (plain TCP: anyone who reaches the port can use the cluster)`];
  const lines = [
    `TLS: only clients with this cluster's certificate get in (${tls.files.ca}, ${tls.files.cert}, ${tls.files.key})`,
    "Connect from Python with:",
    "  from distributed import Client, Security",
    `  security = Security(tls_ca_file="${tls.files.ca}", tls_client_cert="${tls.files.cert}", tls_client_key="${tls.files.key}", require_encryption=True)`,
    `  client = Client("${address}", security=security)`,
  ];
  if (cluster.clientEnvFile) lines.push(`or in a shell: . ${cluster.clientEnvFile}   then Client() needs no arguments (python script.py unchanged)`);
  return lines;
}
