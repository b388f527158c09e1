import { posix } from "node:path";
import type { PbsFlavour } from "./pbs-flavour.js";
import { parsePbsJobId } from "./pbs-ids.js";

/**
 * The file job `jobId` writes its output to when the header joins its streams (`-j oe`) into the
 * directory `outputDirectory` (`-o <dir>/`), or undefined for an id that is not a PBS id (Moab).
 *
 * - PBS Pro (qsub(1B)): a directory gets `<job ID>.OU`, subjobs included (`13[2].server.OU`).
 * - Torque (its server's add_std_filename and array cloning): a directory gets
 *   `<job name>.o<seq>`, and a subjob's path gets `-<index>` appended.
 */
export function outputFileOf(outputDirectory: string, jobName: string, jobId: string, flavour: PbsFlavour): string | undefined {
  const id = parsePbsJobId(jobId);
  if (!id) return undefined;
  if (flavour === "pro") return posix.join(outputDirectory, `${jobId}.OU`);
  const base = posix.join(outputDirectory, `${jobName}.o${id.seq}`);
  return id.kind === "subjob" ? `${base}-${id.index}` : base;
}
