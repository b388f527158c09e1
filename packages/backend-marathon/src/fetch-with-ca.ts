import { readFile } from "node:fs/promises";
import { ConfigError, fetchWithConnection, type Fetch } from "@daskq/core";

/**
 * A `fetch` that trusts the CA certificates in `caFile` (PEM) for HTTPS, for a Marathon behind a
 * site's own CA.
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
  return fetchWithConnection({ ca });
}
