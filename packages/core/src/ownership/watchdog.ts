import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { DaskqError } from "../errors.js";
import { identify, type ProcessIdentity } from "./process-identity.js";

/** The built entry point of the watchdog process (also found when core runs from its sources). */
const ENTRY = fileURLToPath(new URL("../../dist/ownership/watchdog-main.js", import.meta.url));

/** The message that tells the watchdog the cluster closed cleanly. */
export const CLOSED_MESSAGE = "closed\n";

/** The owner's side of a running watchdog. */
export interface WatchdogHandle {
  readonly identity: ProcessIdentity;
  /** Tells the watchdog that the cluster closed cleanly: it exits without doing anything. */
  release(): void;
}

/**
 * Starts the watchdog of a cluster: a small detached Node process (own session, so Ctrl-C and a
 * closing terminal do not reach it) that outlives its owner. It holds the read end of a pipe from
 * the owner, so it notices the owner's death at once (the pipe closes), and also checks the
 * owner's pid twice a second. When the owner dies without releasing it, it cancels the jobs in
 * the state file through the same backend code (see `cleanUpCluster`). Its log goes to `logPath`.
 *
 * @throws DaskqError when the watchdog is not built or cannot start.
 */
export function startWatchdog(statePath: string, logPath: string): WatchdogHandle {
  if (!existsSync(ENTRY)) throw new DaskqError("ownership", `the watchdog ${ENTRY} is missing: build @daskq/core first (npx turbo run build)`);
  const log = openSync(logPath, "a", 0o600);
  let child;
  try {
    child = spawn(process.execPath, [ENTRY, statePath, String(process.pid)], { detached: true, stdio: ["pipe", "ignore", log], cwd: "/" });
  } finally {
    closeSync(log);
  }
  if (child.pid === undefined) throw new DaskqError("ownership", `could not start the watchdog (${process.execPath} ${ENTRY})`);
  const pipe = child.stdin as Socket;
  pipe.on("error", () => undefined);
  pipe.unref();
  child.unref();
  const identity = identify(child.pid);
  return {
    identity,
    release: () => {
      if (!pipe.destroyed) pipe.end(CLOSED_MESSAGE);
    },
  };
}
