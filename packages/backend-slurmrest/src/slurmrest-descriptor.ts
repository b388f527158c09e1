import { slurmBackend } from "@daskq/backend-slurm";
import type { BackendContext, BackendDescriptor, ConfigKey } from "@daskq/core";
import { FetchTransport } from "./fetch-transport.js";
import type { HttpTransport } from "./http-transport.js";
import { SlurmRestBackend } from "./slurmrest-backend.js";
import { SlurmRestClient } from "./slurmrest-client.js";
import { SLURMREST_OPTIONS, type SlurmRestOptions } from "./slurmrest-options.js";
import { UnixSocketTransport } from "./unix-socket-transport.js";

/** The keys of `jobqueue.slurmrest` (see `SLURMREST_OPTIONS`). */
export const SLURMREST_CONFIG_KEYS: readonly ConfigKey[] = SLURMREST_OPTIONS.keys;

/**
 * Makes a slurmrest backend; `context.options` are the validated values of its section.
 *
 * @param wrap puts something between the client and the transport (tests and benchmarks count requests).
 */
export function createSlurmRestBackend(context: BackendContext, wrap: (transport: HttpTransport) => HttpTransport = (t) => t): SlurmRestBackend {
  const makeClient = (options: SlurmRestOptions): SlurmRestClient => {
    const transport = options.url !== undefined ? new FetchTransport(options.url, options.timeoutMs) : new UnixSocketTransport(options.socket as string, options.timeoutMs);
    return new SlurmRestClient(wrap(transport), options.auth, options.apiVersion, context.logger);
  };
  return new SlurmRestBackend(context.options, context.runner, makeClient, context.logger, context.section);
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
