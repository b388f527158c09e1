import { onlyHarmlessLines, runCancelCommand, type CommandRunner, type Logger } from "@daskq/core";
import { parseLsfJobId } from "./lsf-ids.js";

/**
 * bkill messages that only say a job is unknown, already over, or already being killed:
 * `Job <123>: No matching job found`, `Job <123>: Job has already finished`,
 * `Job <123>: Operation is in progress`. bkill exits 255 when it prints one.
 */
const HARMLESS = [/No matching job found/i, /Job has already finished/i, /Operation is in progress/i, /is being terminated/i, /^No unfinished job found/i];

/** Whether a failed bkill complained only about unknown or finished jobs. */
export function onlyHarmlessErrors(stderr: string): boolean {
  return onlyHarmlessLines(stderr, HARMLESS);
}

/** The ids worth passing to bkill: well-formed (`123`, `123[4]`), each once. */
export function bkillArgs(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => parseLsfJobId(id) !== undefined))];
}

/**
 * Cancels jobs with ONE `bkill id...` call; `123[4]` kills only element 4 of array 123. Nothing
 * runs for an empty list. Unknown or finished ids are not an error; ids that are not LSF job ids
 * are skipped. bkill sends SIGINT, SIGTERM and SIGKILL (JOB_TERMINATE_INTERVAL apart) to running
 * jobs and ends pending ones at once; it returns before the processes are gone.
 *
 * @throws CommandError when bkill fails for another reason (e.g. mbatchd is down).
 */
export async function runBkill(runner: CommandRunner, ids: readonly string[], logger?: Logger): Promise<void> {
  await runCancelCommand(runner, { component: "lsf", command: "bkill", harmless: HARMLESS }, ids, bkillArgs(ids), logger);
}
