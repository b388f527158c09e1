import { delimiter, join } from "node:path";
import { execa } from "execa";
import { DaskqError } from "../errors.js";
import type { CommandRunner } from "../runner/command-runner.js";

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

/** Which Python to look for first (see `pythonWithDask`). */
export interface PythonChoice {
  /** Asked for by name (`scheduler-options` python): here, an error when it lacks distributed. */
  readonly explicit?: string;
  /** Worth trying first (the workers' configured `python`); passed over when it lacks distributed. */
  readonly fallback?: string;
}

/**
 * THE way daskq finds a Python with `distributed` for the scheduler or as the workers' default:
 * on the machine `runner` reaches when it reaches another one (SSH: `findRemotePython` with
 * `explicit`, then `fallback`), else here (`explicit`, which must have distributed; else `fallback`
 * when it has it; else `findPython`'s search). `runner` undefined means here.
 */
export async function pythonWithDask(runner: CommandRunner | undefined, choice: PythonChoice, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (runner?.forwardLocalPort) return findRemotePython(runner, [choice.explicit, choice.fallback]);
  if (choice.explicit) return (await findPython(choice.explicit, env)).path;
  if (choice.fallback) {
    try {
      return (await findPython(choice.fallback, env)).path;
    } catch {
      // The workers' python lives on the compute nodes only; use ours.
    }
  }
  return (await findPython(undefined, env)).path;
}

/**
 * Finds a Python with `distributed` on the runner's machine: `preferred` (when given and it imports
 * distributed there), then `/usr/bin/python3`, then `python3` on the login PATH.
 *
 * @throws DaskqError listing what was tried.
 */
export async function findRemotePython(runner: CommandRunner, preferred: readonly (string | undefined)[] = []): Promise<string> {
  const tried: string[] = [];
  for (const python of [...new Set([...preferred.filter((p): p is string => !!p), "/usr/bin/python3", "python3"])]) {
    tried.push(python);
    // "command not found" is an answer; a connection or host key problem is not.
    const result = await runner.run(python, ["-c", "import distributed"], { timeoutMs: 60_000 }).catch((error: unknown) => {
      if (error instanceof DaskqError && error.component === "runner") return undefined;
      throw error;
    });
    if (result?.exitCode === 0) return python;
  }
  throw new DaskqError(
    "scheduler",
    `no Python with the 'distributed' package on ${runner.description} (tried: ${tried.join(", ")}). Install it there or set scheduler-options python / python to one that has it.`,
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
