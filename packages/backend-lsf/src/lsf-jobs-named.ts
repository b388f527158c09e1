import { CommandError, type CommandRunner, type NamedJob } from "@daskq/core";
import { parseLsfJobId } from "./lsf-ids.js";
import { TEXT_DELIMITER, onlyNotFound, parseBjobsText } from "./lsf-status.js";

/**
 * The unfinished jobs named `name`, each array element on its own, from ONE
 * `bjobs -noheader -J <name> -o "jobid jobindex stat delimiter='^'"`: without -a, bjobs lists only
 * pending, running and suspended jobs, and a job array's name selects all its elements. The text form
 * is used because every LSF that has -o prints it (-json came in 10.1.0.2). When nothing matches,
 * bjobs says `No unfinished job found` on standard error: that is no job, not a failure.
 *
 * @throws CommandError when bjobs fails otherwise.
 */
export async function findLsfJobsNamed(runner: CommandRunner, name: string): Promise<NamedJob[]> {
  const result = await runner.run("bjobs", ["-noheader", "-J", name, "-o", `jobid jobindex stat delimiter='${TEXT_DELIMITER}'`]);
  if (result.exitCode !== 0 && !onlyNotFound(result.stderr)) {
    throw new CommandError("lsf", "bjobs", result.exitCode, result.stderr || result.stdout);
  }
  const jobs: NamedJob[] = [];
  for (const record of parseBjobsText(result.stdout)) {
    const id = parseLsfJobId(record.id);
    if (id?.kind === "job") jobs.push({ id: record.id });
    else if (id?.kind === "element") jobs.push({ id: record.id, arrayIndex: id.index });
  }
  return jobs;
}
