import { onlyHarmlessLines, runCancelCommand, type CommandRunner, type Logger } from "@daskq/core";
import { FLAVOURS, type PbsFlavour } from "./pbs-flavour.js";
import { parsePbsJobId } from "./pbs-ids.js";

/**
 * qdel messages that only say a job is unknown or already over:
 * PBS Pro (qdel.c, pbs_messages.c): `Unknown Job Id`, `Job has finished`, `Request invalid for
 * finished array subjob`, `Request invalid for state of job` (the job is exiting);
 * Torque (qdel.c, svr_chk_owner.c): `nonexistent job id`, `Unknown Job Id Error`,
 * `invalid state for job - COMPLETE` (or EXITING), `job cancel in progress`.
 */
const QDEL_HARMLESS = [
  /Unknown Job Id/i,
  /nonexistent job id/i,
  /Job has finished/i,
  /finished array subjob/i,
  /Request invalid for state of job/i,
  /invalid state for job/i,
  /job cancel in progress/i,
];

/** canceljob messages for jobs Moab does not know or that already ended (not verified on a real Moab). */
const CANCELJOB_HARMLESS = [/invalid job/i, /cannot locate/i, /not found/i, /unknown job/i, /does not exist/i, /already (?:completed|cancell?ed|canceled|removed)/i];

/** Whether a failed cancel command complained only about unknown or finished jobs. */
export function onlyHarmlessErrors(stderr: string, flavour: PbsFlavour = "pro"): boolean {
  return onlyHarmlessLines(stderr, flavour === "moab" ? CANCELJOB_HARMLESS : QDEL_HARMLESS);
}

/**
 * The ids worth passing to the cancel command, each once: PBS ids (`123.s`, `124[].s`, `124[3].s`)
 * for qdel (Torque's qdel stops at the first malformed id), any word for canceljob.
 */
export function cancelArgs(flavour: PbsFlavour, ids: readonly string[]): string[] {
  const valid = flavour === "moab" ? (id: string) => /^[A-Za-z0-9_.\-[\]]+$/.test(id) : (id: string) => parsePbsJobId(id) !== undefined;
  return [...new Set(ids.filter(valid))];
}

/**
 * Cancels jobs with ONE `qdel id...` (or `canceljob id...` on Moab); `124[3].s` deletes one subjob,
 * `124[].s` a whole array. Nothing runs for an empty list. Unknown or finished ids are not an error;
 * ids that are not job ids are skipped.
 *
 * @throws CommandError when the command fails for another reason (e.g. the server is down).
 */
export async function runCancel(runner: CommandRunner, flavour: PbsFlavour, ids: readonly string[], logger?: Logger): Promise<void> {
  const cancel = {
    component: "pbs",
    command: FLAVOURS[flavour].cancel,
    harmless: flavour === "moab" ? CANCELJOB_HARMLESS : QDEL_HARMLESS,
    messageOnStdout: true,
  };
  await runCancelCommand(runner, cancel, ids, cancelArgs(flavour, ids), logger);
}
