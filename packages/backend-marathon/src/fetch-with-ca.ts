import { readFile } from "node:fs/promises";
import { ConfigError } from "@daskq/core";
import type { Fetch } from "./marathon-client.js";

/**
 * A `fetch` (undici's, the implementation behind Node's global one) that trusts the CA
 * certificates in `caFile` (PEM) for HTTPS, for a Marathon behind a site's own CA.
 *
 * @param keyPath the key that named the file (`jobqueue.<section>.ca-file`), for the error.
 * @throws ConfigError naming `keyPath` when the file cannot be read.
 */
export async function fetchWithCa(caFile: string, keyPath: string): Promise<Fetch> {
  let ca: string;
  try {
    ca = await readFile(caFile, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the CA file ${caFile}: ${(error as Error).message}`, { keyPath });
  }
  const { Agent, fetch } = await import("undici");
  const dispatcher = new Agent({ connect: { ca } });
  return (url, init) => fetch(url, { ...(init as Parameters<typeof fetch>[1]), dispatcher }) as unknown as Promise<Response>;
}
