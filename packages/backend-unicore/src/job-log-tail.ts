import type { UnicoreClient, UnicoreJob } from "./unicore-client.js";

/** Bytes read from the end of each output file. */
const TAIL_BYTES = 16_384;

/**
 * The last `lines` lines of a job's output as UNICORE keeps it: `stdout` and `stderr` in the job's
 * working directory (unicorex `ExecutionContext`), read with `Range: bytes=-N`. Undefined when the
 * job has no working directory or neither file exists.
 */
export async function jobLogTail(client: UnicoreClient, job: UnicoreJob, lines: number): Promise<string | undefined> {
  const workingDirectory = job.links["workingDirectory"];
  if (!workingDirectory) return undefined;
  const [stdout, stderr] = await Promise.all([
    client.download(workingDirectory, "stdout", TAIL_BYTES).catch(() => undefined),
    client.download(workingDirectory, "stderr", TAIL_BYTES).catch(() => undefined),
  ]);
  if (stdout === undefined && stderr === undefined) return undefined;
  const all = [...lastLines(stdout, lines), ...lastLines(stderr, lines)];
  const tail = all.slice(-lines).join("\n");
  return job.statusMessage ? `${tail}${tail ? "\n" : ""}[UNICORE] ${job.statusMessage}` : tail;
}

function lastLines(text: string | undefined, lines: number): string[] {
  if (!text) return [];
  return text.replace(/\n$/, "").split("\n").slice(-lines);
}
