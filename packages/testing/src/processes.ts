import { execa } from "execa";

/** A process as `ps` shows it. */
export interface ProcessEntry {
  readonly pid: number;
  /** Session id: every process of a local job shares its job's session. */
  readonly sid: number;
  readonly stat: string;
  readonly command: string;
}

/**
 * Live (non-zombie) processes whose command line contains `needle`, read with `ps`.
 * Tests use it to prove that nothing was left behind, without trusting daskq's own bookkeeping.
 */
export async function findProcesses(needle: string): Promise<ProcessEntry[]> {
  const { stdout } = await execa("ps", ["-eo", "pid=,sid=,stat=,args="]);
  return stdout
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), sid: Number(m[2]), stat: m[3] as string, command: m[4] as string }))
    .filter((p) => !p.stat.startsWith("Z") && p.command.includes(needle) && p.pid !== process.pid && !p.command.startsWith("ps "));
}

/** Live processes in any of these sessions (e.g. the sessions of local jobs). */
export async function findProcessesInSessions(sessions: readonly number[]): Promise<ProcessEntry[]> {
  const wanted = new Set(sessions);
  return (await findProcesses("")).filter((p) => wanted.has(p.sid));
}

/** Polls `check` until it returns true or `timeoutMs` passes; resolves whether it succeeded. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
