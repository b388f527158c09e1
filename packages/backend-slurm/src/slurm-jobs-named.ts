import { runChecked, type CommandRunner, type NamedJob } from "@daskq/core";
import { parseJobId } from "./slurm-ids.js";

/**
 * The unfinished jobs named `name`, each array task on its own: ONE `squeue -h -r -n <name> -o %i`
 * (pending, running, completing, ... as squeue lists them by default).
 *
 * @throws CommandError when squeue fails.
 */
export async function findSlurmJobsNamed(runner: CommandRunner, name: string): Promise<NamedJob[]> {
  const { stdout } = await runChecked(runner, "slurm", "squeue", ["-h", "-r", "-n", name, "-o", "%i"]);
  const jobs: NamedJob[] = [];
  for (const line of stdout.split("\n")) {
    const id = parseJobId(line.trim());
    if (id?.kind === "job") jobs.push({ id: id.jobId });
    else if (id?.kind === "task") jobs.push({ id: line.trim(), arrayIndex: id.taskId });
  }
  return jobs;
}
