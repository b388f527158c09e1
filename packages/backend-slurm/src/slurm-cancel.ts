import { onlyHarmlessLines, runCancelCommand, type CommandRunner, type Logger } from "@daskq/core";
import { parseJobId } from "./slurm-ids.js";

/**
 * scancel messages that only say a job is unknown or already over. Slurm 22.05 exits 0 for those
 * (measured); other versions exit 1 with one of these lines per job.
 */
const HARMLESS = [/invalid job id/i, /already completing or completed/i, /job has already finished/i, /job is not active/i];

/** Whether a failed scancel complained only about unknown or finished jobs. */
export function onlyHarmlessErrors(stderr: string): boolean {
  return onlyHarmlessLines(stderr, HARMLESS);
}

/** The ids worth passing to scancel: well-formed (`123`, `123_4`), each once. */
export function scancelArgs(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => parseJobId(id) !== undefined))];
}

/**
 * Cancels jobs with ONE `scancel id...` call; `123_4` cancels only task 4 of array 123. Nothing
 * runs for an empty list. Unknown or finished ids are not an error; ids that are not Slurm job ids
 * at all are skipped (scancel would reject the whole call for them).
 *
 * @throws CommandError when scancel fails for another reason (e.g. the controller is down).
 */
export async function runScancel(runner: CommandRunner, ids: readonly string[], logger?: Logger): Promise<void> {
  await runCancelCommand(runner, { component: "slurm", command: "scancel", harmless: HARMLESS }, ids, scancelArgs(ids), logger);
}
