import { execa } from "execa";

/** The Python that has Debian's python3-distributed (never the `python3` on PATH, which may lack dask). */
export const PYTHON = process.env["DASKQ_TEST_PYTHON"] ?? "/usr/bin/python3";

/** Result of a Python snippet. */
export interface PythonResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a Python snippet (e.g. a Dask client computing something) and returns what it printed.
 * `args` become `sys.argv[1:]`; `env` is added to the environment (e.g. a cluster's `clientEnv`).
 */
export async function runPython(code: string, args: readonly string[] = [], timeoutMs = 120_000, env: Readonly<Record<string, string>> = {}): Promise<PythonResult> {
  const result = await execa(PYTHON, ["-c", code, ...args], { reject: false, timeout: timeoutMs, env });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
