import { delimiter, join } from "node:path";
import { execa } from "execa";
import { DaskqError } from "../errors.js";

/** A Python interpreter that can import `distributed`. */
export interface PythonWithDask {
  readonly path: string;
  /** `distributed.__version__`, e.g. `2022.12.1+ds.1`. */
  readonly distributedVersion: string;
}

/**
 * Finds a Python that has `distributed`: the explicit `python` option first, then
 * `/usr/bin/python3` (Debian's python3-distributed), then every other `python3` on PATH.
 * An explicit choice that lacks distributed is an error, not silently replaced.
 */
export async function findPython(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonWithDask> {
  if (explicit) {
    const version = await distributedVersion(explicit);
    if (version) return { path: explicit, distributedVersion: version };
    throw new DaskqError(
      "scheduler",
      `the configured python '${explicit}' cannot import distributed. ` +
        `Install it there (pip install distributed) or point python at an interpreter that has it.`,
    );
  }
  const tried: string[] = [];
  for (const candidate of candidates(env)) {
    tried.push(candidate);
    const version = await distributedVersion(candidate);
    if (version) return { path: candidate, distributedVersion: version };
  }
  throw new DaskqError(
    "scheduler",
    `no Python with the 'distributed' package was found (tried: ${tried.join(", ") || "nothing"}). ` +
      `Install it (Debian/Ubuntu: apt-get install python3-distributed; otherwise pip install distributed) ` +
      `or set the python option (--python /path/to/python).`,
  );
}

function candidates(env: NodeJS.ProcessEnv): string[] {
  const onPath = (env["PATH"] ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "python3"));
  return [...new Set(["/usr/bin/python3", ...onPath])];
}

async function distributedVersion(python: string): Promise<string | undefined> {
  try {
    const result = await execa(python, ["-c", "import distributed; print(distributed.__version__)"], {
      reject: false,
      timeout: 30_000,
    });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}
