import { CommandError, type CommandRunner, type Logger } from "@daskq/core";
import { compressTasks, parseJobId } from "./sge-ids.js";

/** What qdel prints for jobs it deleted or will delete (one line each, on stdout; measured on 8.1.9). */
const DELETED = [/ has deleted job/, / has registered the job/];
/**
 * What qdel prints for ids that are harmless to cancel: unknown or already ended
 * (`denied: job "999" does not exist`, `job "12" task "9" does not exist`), or already being deleted
 * (`job 12 is already in deletion`). qdel exits 1 for the first kind.
 */
const HARMLESS = [/does not exist/, /is already in deletion/];

/**
 * Whether a failed qdel complained only about unknown or ended jobs: every line it printed is either
 * one of those or a deletion, and there is at least one of those.
 */
export function onlyHarmlessErrors(output: string): boolean {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const harmless = lines.filter((line) => HARMLESS.some((re) => re.test(line)));
  return harmless.length > 0 && lines.every((line) => harmless.includes(line) || DELETED.some((re) => re.test(line)));
}

/**
 * The qdel arguments for `ids`, as few as possible: each job id once, and the tasks of each array as
 * runs of consecutive tasks in qdel's `job.first-last` form (`123.1-3 123.7`). One call takes jobs
 * and any number of arrays (measured); ids that are not Grid Engine ids are left out.
 */
export function qdelArgs(ids: readonly string[]): string[] {
  const jobs = new Set<string>();
  const tasks = new Map<string, number[]>();
  for (const id of ids) {
    const parsed = parseJobId(id);
    if (!parsed) continue;
    if (parsed.kind === "job") jobs.add(parsed.jobId);
    else tasks.set(parsed.jobId, [...(tasks.get(parsed.jobId) ?? []), parsed.taskId]);
  }
  const args: string[] = [];
  const order = [...new Set(ids.map((id) => parseJobId(id)?.jobId).filter((j): j is string => j !== undefined))];
  for (const jobId of order) {
    if (jobs.has(jobId)) args.push(jobId);
    for (const run of compressTasks(tasks.get(jobId) ?? [])) args.push(`${jobId}.${run}`);
  }
  return args;
}

/**
 * Cancels jobs with ONE `qdel` call: `qdel 120 123.2 123.5-7 124.1` deletes job 120, tasks 2 and 5 to 7
 * of array 123 and task 1 of array 124. Nothing runs for an empty list. Unknown or ended ids are not
 * an error (qdel deletes the others and exits 1 saying "does not exist"); ids that are not Grid
 * Engine ids are skipped. A running job is killed with SIGKILL (the queue's default terminate
 * method), so its worker gets no clean shutdown: core retires workers through the scheduler first.
 *
 * @throws CommandError when qdel fails for another reason (e.g. no permission, qmaster down).
 */
export async function runQdel(runner: CommandRunner, ids: readonly string[], logger?: Logger): Promise<void> {
  const skipped = ids.filter((id) => parseJobId(id) === undefined);
  if (skipped.length > 0) logger?.debug(`sge: not cancelling malformed job ids: ${skipped.join(" ")}`);
  const args = qdelArgs(ids);
  if (args.length === 0) return;
  const result = await runner.run("qdel", args);
  if (result.exitCode === 0) return;
  const output = `${result.stdout}\n${result.stderr}`;
  if (onlyHarmlessErrors(output)) {
    logger?.debug(`sge: qdel: ${output.trim()}`);
    return;
  }
  const said = [result.stderr.trim(), result.stdout.trim()].filter(Boolean).join("\n");
  throw new CommandError("sge", "qdel", result.exitCode, said);
}
