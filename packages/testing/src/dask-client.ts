import { readFile } from "node:fs/promises";
import { runPython } from "./python.js";

/** What a Python client needs to reach a cluster: its address, and the env of its TLS material. */
export interface ClusterAccess {
  readonly schedulerAddress: string;
  readonly clientEnv: Readonly<Record<string, string>>;
}

/**
 * A real dask.array reduction run by a real Python client; resolves the printed sum. Give a
 * cluster (or anything with `schedulerAddress` and `clientEnv`) to connect with its TLS material.
 */
export async function computeArraySum(target: string | ClusterAccess, size = 1000): Promise<number> {
  const address = typeof target === "string" ? target : target.schedulerAddress;
  const env = typeof target === "string" ? {} : target.clientEnv;
  const result = await runPython(
    [
      "import sys",
      "from distributed import Client",
      "import dask.array as da",
      "c = Client(sys.argv[1], timeout=30)",
      "n = int(sys.argv[2])",
      "x = da.ones((n, n), chunks=(n // 10, n // 10))",
      "print('result', int(x.sum().compute()))",
      "c.close()",
    ].join("\n"),
    [address, String(size)],
    120_000,
    env,
  );
  const match = /result (\d+)/.exec(result.stdout);
  if (!match) throw new Error(`dask client failed (exit ${result.exitCode}):\n${result.stderr.slice(-2000)}`);
  return Number(match[1]);
}

/**
 * The variables of a `client.env` file that `daskq up` prints (`export NAME='value'` lines), for a
 * client started by a test: `computeArraySum({ schedulerAddress, clientEnv: await clientEnvFromFile(path) })`.
 */
export async function clientEnvFromFile(path: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    const match = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const raw = match[2] as string;
    env[match[1] as string] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return env;
}
