import type { ClusterStatus } from "@daskq/core";

/** One progress line, e.g. `3/8 workers, 5 jobs queued, 1 failed, 2 other workers on the scheduler`. */
export function formatProgress(status: ClusterStatus, processesPerJob: number): string {
  const wanted = status.targetJobs * processesPerJob;
  const failed = status.jobs.filter((j) => j.state === "failed").length;
  const parts = [`${status.counts.workers}/${wanted} workers`, `${status.counts.queued} jobs queued`];
  if (failed > 0) parts.push(`${failed} failed`);
  // On a scheduler shared with other daskq processes (attach mode), their workers are not ours.
  if (status.counts.otherWorkers > 0) parts.push(`${status.counts.otherWorkers} other workers on the scheduler`);
  return parts.join(", ");
}

/** Where progress goes: a terminal (one line redrawn in place) or a pipe/file (plain lines). */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const CLEAR_LINE = "\r\x1b[2K";

/**
 * Shows progress without flooding: on a terminal, ONE live line redrawn in place; elsewhere a plain
 * line, only when it changed. The caller calls `show()` once per poll, so there is at most one line
 * per poll however many jobs changed in between.
 */
export class ProgressLine {
  private last: string | undefined;
  private drawn = false;

  constructor(private readonly output: ProgressOutput) {}

  /** Shows `line` (redraws it on a terminal; prints it elsewhere when it changed). */
  show(line: string): void {
    if (this.output.isTTY) {
      this.output.write(`${CLEAR_LINE}${line}`);
      this.drawn = true;
    } else if (line !== this.last) {
      this.output.write(`${line}\n`);
    }
    this.last = line;
  }

  /** Clears the live line so that other output starts on a clean line; the next `show()` redraws it. */
  clear(): void {
    if (!this.drawn) return;
    this.output.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** Ends the live line with a newline (terminal only). */
  end(): void {
    if (this.drawn) this.output.write("\n");
    this.drawn = false;
  }
}
