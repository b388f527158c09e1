/**
 * LSF job ids as daskq sees them: `123` for a job, `123[4]` for element 4 of job array 123 (the
 * form bjobs and bkill take). Array indices start at 1.
 */
export type LsfJobId =
  | { readonly kind: "job"; readonly jobId: string }
  | { readonly kind: "element"; readonly jobId: string; readonly index: number };

/** Parses `123` or `123[4]`; anything else is undefined. */
export function parseLsfJobId(id: string): LsfJobId | undefined {
  const m = /^(\d+)(?:\[(\d+)\])?$/.exec(id);
  if (!m) return undefined;
  const jobId = m[1] as string;
  return m[2] === undefined ? { kind: "job", jobId } : { kind: "element", jobId, index: Number(m[2]) };
}

/** The id of element `index` of job array `jobId`: `123[4]`. */
export function elementJobId(jobId: string, index: number): string {
  return `${jobId}[${index}]`;
}
