import { CommandError, DaskqError, runChecked, type CommandRunner, type SubmitRequest, checkSubmitRequest as checkRequest } from "@daskq/core";
import { FLAVOURS, type PbsFlavour } from "./pbs-flavour.js";
import { parsePbsJobId, subjobIds } from "./pbs-ids.js";

/**
 * The arguments of the submit command for `count` jobs of the script at `scriptPath`:
 * `qsub [-J 0-(n-1)[%k]] <script>` (PBS Pro), `qsub [-t 0-(n-1)[%k]] <script>` (Torque),
 * `msub <script>` (Moab). Both array syntaxes take the `%` limit (qsub(1B) of each).
 */
export function submitArgs(flavour: PbsFlavour, scriptPath: string, count: number, maxRunning: number | undefined): string[] {
  const option = FLAVOURS[flavour].arrayOption;
  if (count > 1 && option) return [option, `0-${count - 1}${maxRunning === undefined ? "" : `%${maxRunning}`}`, scriptPath];
  return [scriptPath];
}

/**
 * The job id in submit output: its last non-empty line. qsub prints `123.server` (arrays
 * `124[].server`); msub prints the Moab job id, often after a blank line. Undefined when that line is
 * not an id.
 */
export function parseSubmitOutput(stdout: string, flavour: PbsFlavour): string | undefined {
  const last = stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .at(-1);
  if (last === undefined) return undefined;
  if (flavour === "moab") return /^[A-Za-z0-9_.\-[\]]+$/.test(last) ? last : undefined;
  return parsePbsJobId(last) ? last : undefined;
}

/**
 * Checks a submission before anything runs.
 *
 * @throws DaskqError for a count that is not a positive integer, an array when arrays are off (or on
 *   Moab), or a `maxRunning` that is not a positive integer.
 */
export function checkSubmitRequest(request: SubmitRequest, arrays: boolean): void {
  checkRequest("pbs", request, arrays, "jobqueue.pbs.arrays: false, or flavour moab");
}

/**
 * Runs the submit command and resolves the job ids: `[123.server]` for one job, and for an array
 * `124[0].server` ... `124[n-1].server` in index order.
 *
 * @throws CommandError with the command's message when it exits non-zero or prints no job id (or, for
 *   an array, no array id).
 */
export async function runSubmit(runner: CommandRunner, flavour: PbsFlavour, scriptPath: string, count: number, maxRunning: number | undefined): Promise<string[]> {
  const command = FLAVOURS[flavour].submit;
  const result = await runChecked(runner, "pbs", command, submitArgs(flavour, scriptPath, count, maxRunning));
  const id = parseSubmitOutput(result.stdout, flavour);
  const said = () => [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join("\n") || "(no output)";
  if (id === undefined) throw new CommandError("pbs", command, result.exitCode, `printed no job id: ${said()}`);
  if (count === 1) return [id];
  const parsed = parsePbsJobId(id);
  if (parsed?.kind !== "array") throw new CommandError("pbs", command, result.exitCode, `printed no array job id (like 124[].server) for an array of ${count}: ${said()}`);
  return subjobIds(parsed, count, 0);
}
