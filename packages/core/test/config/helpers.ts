import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ConfigKey } from "../../src/config/config-key.js";
import { SHARED_KEYS } from "../../src/config/shared-keys.js";

/** A throw-away machine: `/etc/dask` and a home directory in a temp dir, and an env pointing at them. */
export interface Sandbox {
  readonly root: string;
  /** Stands for /etc/dask (`DASK_ROOT_CONFIG`). */
  readonly etcDask: string;
  readonly home: string;
  /** `~/.config/dask`. */
  readonly userDask: string;
  /** `DASK_ROOT_CONFIG` set, so that the real /etc/dask is never read. */
  readonly env: NodeJS.ProcessEnv;
  /** Writes `text` to `path` (relative to root, or absolute), creating directories, and returns the absolute path. */
  write(path: string, text: string): string;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "daskq-config-"));
  const etcDask = join(root, "etc", "dask");
  const home = join(root, "home");
  mkdirSync(home, { recursive: true });
  return {
    root,
    etcDask,
    home,
    userDask: join(home, ".config", "dask"),
    env: { DASK_ROOT_CONFIG: etcDask },
    write(path, text) {
      const full = path.startsWith("/") ? path : join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Backend keys like the ones dask-jobqueue's Slurm, PBS and SGE sections have; real backends declare their own. */
export const BACKEND_KEYS: readonly ConfigKey[] = [
  { name: "job-cpu", kind: "integer", description: "CPUs per task" },
  { name: "job-mem", kind: "bytes", description: "Memory per job" },
  { name: "resource-spec", kind: "string", description: "Resource request" },
];

export const TEST_KEYS: readonly ConfigKey[] = [...SHARED_KEYS, ...BACKEND_KEYS];
