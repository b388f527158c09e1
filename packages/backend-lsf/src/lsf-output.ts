import { outputPattern } from "./lsf-header.js";
import { parseLsfJobId } from "./lsf-ids.js";

/**
 * Expands an LSF -o/-e file name: `%J` is the job id, `%I` the array index ("Otherwise, %I is
 * replaced by 0", bsub -o).
 */
export function expandLsfPattern(pattern: string, jobId: string, index: number): string {
  return pattern.replaceAll("%J", jobId).replaceAll("%I", String(index));
}

/**
 * The file job `jobId` writes its output to, with the `-o` path `renderLsfHeader` writes for
 * `outputDirectory` and `jobName` (`<dir>/<name>-%J_%I.out`); undefined for an id that is not an
 * LSF id.
 */
export function outputFileOf(outputDirectory: string, jobName: string, jobId: string): string | undefined {
  const id = parseLsfJobId(jobId);
  if (!id) return undefined;
  return expandLsfPattern(outputPattern(outputDirectory, jobName), id.jobId, id.kind === "element" ? id.index : 0);
}
