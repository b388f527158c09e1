import { runChecked, type CommandRunner, type NamedJob } from "@daskq/core";
import type { PbsFlavour } from "./pbs-flavour.js";
import { parsePbsJobId } from "./pbs-ids.js";
import { parseShowqXml } from "./pbs-moab.js";
import { parseQstatFull } from "./pbs-status.js";

/** A parsed id as a NamedJob: a job, or a subjob with its index; undefined for arrays and garbage. */
function namedJob(id: string): NamedJob | undefined {
  const parsed = parsePbsJobId(id);
  if (parsed?.kind === "job") return { id };
  if (parsed?.kind === "subjob") return { id, arrayIndex: parsed.index };
  return undefined;
}

/**
 * The unfinished jobs named `name`, each subjob on its own, from ONE command.
 *
 * - PBS Pro: `qselect -N <name> -T` prints one id a line (`123.server`, `124[3].server`): -T lists
 *   jobs and subjobs instead of job arrays, and without -x only queued and running ones
 *   (qselect(1B)). Nothing selected: no output, exit 0.
 * - Torque: a subjob is named `<name>-<index>` there, so `qselect -N <name>` cannot find it. ONE
 *   `qstat -f -1 -t` (the server's jobs, subjobs each on their own) is read instead, and the jobs
 *   named `name` and the subjobs named `<name>-<their index>` that are not completed (C) are kept.
 * - Moab: ONE `showq --xml` (the jobs Moab shows: active, eligible, blocked), those whose `JobName`
 *   is `name` (Moab jobs are never arrays here).
 *
 * @throws CommandError when the command fails.
 */
export async function findPbsJobsNamed(runner: CommandRunner, flavour: PbsFlavour, name: string): Promise<NamedJob[]> {
  if (flavour === "moab") {
    const { stdout } = await runChecked(runner, "pbs", "showq", ["--xml"]);
    return parseShowqXml(stdout)
      .filter((job) => job.name === name)
      .map((job) => ({ id: job.id }));
  }
  if (flavour === "pro") {
    const { stdout } = await runChecked(runner, "pbs", "qselect", ["-N", name, "-T"]);
    return stdout
      .split(/\s+/)
      .filter((word) => word !== "")
      .map(namedJob)
      .filter((job): job is NamedJob => job !== undefined);
  }
  const { stdout } = await runChecked(runner, "pbs", "qstat", ["-f", "-1", "-t"]);
  const jobs: NamedJob[] = [];
  for (const record of parseQstatFull(stdout)) {
    const job = namedJob(record.id);
    if (job === undefined || record.state === "C") continue;
    const expected = job.arrayIndex === undefined ? name : `${name}-${job.arrayIndex}`;
    if (record.name === expected) jobs.push(job);
  }
  return jobs;
}
