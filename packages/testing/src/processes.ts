import { execa } from "execa";

/** A process as `ps` shows it. */
export interface ProcessEntry {
  readonly pid: number;
  readonly stat: string;
  readonly command: string;
}

/**
 * Live (non-zombie) processes whose command line contains `needle`, read with `ps`.
 * Tests use it to prove that nothing was left behind, without trusting daskq's own bookkeeping.
 */
export async function findProcesses(needle: string): Promise<ProcessEntry[]> {
  const { stdout } = await execa("ps", ["-eo", "pid=,stat=,args="]);
  return stdout
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), stat: m[2] as string, command: m[3] as string }))
    .filter((p) => !p.stat.startsWith("Z") && p.command.includes(needle) && p.pid !== process.pid && !p.command.startsWith("ps "));
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
