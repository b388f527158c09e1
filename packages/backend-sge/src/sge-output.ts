import { posix } from "node:path";
import { parseJobId } from "./sge-ids.js";

/**
 * The file job `jobId` writes its output to when the header sends output to the directory
 * `outputDirectory` (`-o <dir>/`): Grid Engine names it `<job name>.o<job id>` for a job and
 * `<job name>.o<job id>.<task>` for an array task (measured). Undefined for an id that is not a
 * Grid Engine id.
 */
export function outputFileOf(outputDirectory: string, jobName: string, jobId: string): string | undefined {
  const id = parseJobId(jobId);
  if (!id) return undefined;
  const task = id.kind === "task" ? `.${id.taskId}` : "";
  return posix.join(outputDirectory, `${jobName}.o${id.jobId}${task}`);
}
