import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * A process, told apart from a later one that reuses its pid by its start time (clock ticks
 * after boot, from /proc/<pid>/stat; undefined where /proc is missing).
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string | undefined;
  readonly host: string;
}

/** This process. */
export function currentProcess(): ProcessIdentity {
  return identify(process.pid);
}

/** The process with this pid on this host, as it is now. */
export function identify(pid: number): ProcessIdentity {
  return { pid, startTime: readStat(pid)?.startTime, host: hostname() };
}

/** True when the process runs on this host. */
export function isLocal(identity: ProcessIdentity): boolean {
  return identity.host === hostname();
}

/**
 * True while the process is alive on this host: the pid exists, is not a zombie, and started at
 * the recorded time (so a reused pid does not count). A process on another host is never judged
 * dead: callers must check `isLocal` first.
 */
export function isAlive(identity: ProcessIdentity): boolean {
  if (!isLocal(identity)) return true;
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = readStat(identity.pid);
  if (!stat) return process.platform !== "linux";
  if (stat.state === "Z" || stat.state === "X") return false;
  return identity.startTime === undefined || stat.startTime === identity.startTime;
}

function readStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    const startTime = fields[19];
    return state && startTime ? { state, startTime } : undefined;
  } catch {
    return undefined;
  }
}
