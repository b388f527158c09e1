import { SLURM_CONFIG_KEYS, slurmBackend } from "@daskq/backend-slurm";
import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { FetchTransport } from "./fetch-transport.js";
import type { HttpTransport } from "./http-transport.js";
import { SlurmRestBackend } from "./slurmrest-backend.js";
import { SlurmRestClient } from "./slurmrest-client.js";
import type { SlurmRestOptions } from "./slurmrest-options.js";
import { UnixSocketTransport } from "./unix-socket-transport.js";

/** The keys of `jobqueue.slurmrest`: Slurm's own (job-cpu, job-mem, arrays, ...) and how to reach slurmrestd. */
export const SLURMREST_CONFIG_KEYS: readonly ConfigKey[] = [
  ...SLURM_CONFIG_KEYS,
  { name: "url", kind: "string", description: "slurmrestd over TCP, e.g. http://login1:6820 (JWT auth); or set socket" },
  { name: "socket", kind: "string", description: "slurmrestd's local unix socket (rest_auth/local, no token); or set url" },
  { name: "token", kind: "string", secret: true, description: "JWT for url (scontrol token); unset: $SLURM_JWT. Never shown or logged" },
  { name: "user", kind: "string", description: "X-SLURM-USER-NAME; unset: the token's user, else the local user" },
  { name: "api-version", kind: "string", description: "OpenAPI plugin version to speak, e.g. v0.0.37; unset: the newest both sides have" },
  { name: "request-timeout", kind: "walltime", default: 30, description: "Time limit of one HTTP request" },
];

/**
 * Makes a slurmrest backend; `context.options` are the validated `jobqueue.slurmrest` values.
 *
 * @param wrap puts something between the client and the transport (tests and benchmarks count requests).
 */
export function createSlurmRestBackend(context: BackendContext, wrap: (transport: HttpTransport) => HttpTransport = (t) => t): SlurmRestBackend {
  const makeClient = (options: SlurmRestOptions): SlurmRestClient => {
    const transport = options.url !== undefined ? new FetchTransport(options.url, options.timeoutMs) : new UnixSocketTransport(options.socket as string, options.timeoutMs);
    return new SlurmRestClient(wrap(transport), options.auth, options.apiVersion, context.logger);
  };
  return new SlurmRestBackend(context.options, context.runner, makeClient, context.logger);
}

/** The registration unit of the slurmrest backend. */
export const slurmRestBackend: BackendDescriptor = {
  name: "slurmrest",
  description: "Slurm through its REST API (slurmrestd: JWT or local socket, job arrays)",
  configKeys: SLURMREST_CONFIG_KEYS,
  ...(slurmBackend.defaults ? { defaults: slurmBackend.defaults } : {}),
  ...(slurmBackend.walltimeTwoPart ? { walltimeTwoPart: slurmBackend.walltimeTwoPart } : {}),
  create: (context) => createSlurmRestBackend(context),
};
