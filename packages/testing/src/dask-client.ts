import { runPython } from "./python.js";

/** A real dask.array reduction run by a real Python client; resolves the printed sum. */
export async function computeArraySum(address: string, size = 1000): Promise<number> {
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
  );
  const match = /result (\d+)/.exec(result.stdout);
  if (!match) throw new Error(`dask client failed (exit ${result.exitCode}):\n${result.stderr.slice(-2000)}`);
  return Number(match[1]);
}
