/** The CLI tests' way to start the built `daskq` command and wait for what it prints. */
import { fileURLToPath } from "node:url";
import { execa } from "execa";

/** The repository root (with a trailing slash): the working directory of every `daskq` a test starts. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The built `daskq` command. */
export const DASKQ_BIN = `${ROOT}packages/cli/dist/bin.js`;

function spawnDaskq(args: readonly string[], env: Readonly<Record<string, string | undefined>>) {
  return execa("node", [DASKQ_BIN, ...args], { cwd: ROOT, env, extendEnv: false, reject: false });
}

/** A running `daskq` (e.g. `daskq up`) and what it printed so far. */
export interface DaskqProcess {
  /** The process: `child.kill("SIGINT")`, then `await child` for its result. */
  readonly child: ReturnType<typeof spawnDaskq>;
  /** Standard output so far. */
  output(): string;
  /** Standard error so far. */
  errors(): string;
  /**
   * Resolves true as soon as standard output contains `what` (a string, or a pattern it matches);
   * false when `timeoutMs` passed or the process ended without printing it.
   */
  waitFor(what: string | RegExp, timeoutMs: number): Promise<boolean>;
}

/** Starts `daskq <args>` from the repository root with only `env` (no inherited variables). */
export function startDaskq(args: readonly string[], env: Readonly<Record<string, string | undefined>>): DaskqProcess {
  const child = spawnDaskq(args, env);
  let out = "";
  let err = "";
  const watchers = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const watcher of [...watchers]) watcher();
  });
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const printed = (what: string | RegExp) => (typeof what === "string" ? out.includes(what) : what.test(out));
  return {
    child,
    output: () => out,
    errors: () => err,
    waitFor: (what, timeoutMs) =>
      new Promise<boolean>((resolve) => {
        const finish = (found: boolean) => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off("close", ended);
          resolve(found);
        };
        const check = () => {
          if (printed(what)) finish(true);
        };
        const ended = () => finish(printed(what));
        const timer = setTimeout(() => finish(false), timeoutMs);
        watchers.add(check);
        child.once("close", ended);
        check();
      }),
  };
}
