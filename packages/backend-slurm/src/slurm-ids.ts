/**
 * Slurm job ids as daskq sees them: `123` for a job, `123_4` for task 4 of array job 123.
 */
export type SlurmJobId =
  | { readonly kind: "job"; readonly jobId: string }
  | { readonly kind: "task"; readonly arrayJobId: string; readonly taskId: number };

/** Task index Slurm substitutes for `%a` when the job is not an array (NO_VAL - 1, measured on 22.05). */
export const NOT_AN_ARRAY_TASK = 4294967294;

/** Parses `123` or `123_4`; anything else (hetjob `123+0`, steps, garbage) is undefined. */
export function parseJobId(id: string): SlurmJobId | undefined {
  const m = /^(\d+)(?:_(\d+))?$/.exec(id);
  if (!m) return undefined;
  const jobId = m[1] as string;
  return m[2] === undefined ? { kind: "job", jobId } : { kind: "task", arrayJobId: jobId, taskId: Number(m[2]) };
}

/** The id of task `taskId` of array job `arrayJobId`. */
export function taskJobId(arrayJobId: string, taskId: number): string {
  return `${arrayJobId}_${taskId}`;
}

/** An inclusive range of array task ids with a step. */
export interface TaskRange {
  readonly first: number;
  readonly last: number;
  readonly step: number;
}

/**
 * Parses the inside of Slurm's bracket notation for array tasks, e.g. `0-3`, `1,4-7:2`, `2-3%2`
 * (a trailing `%limit` is dropped). Undefined if it is not that notation.
 */
export function parseTaskRanges(text: string): TaskRange[] | undefined {
  const ranges: TaskRange[] = [];
  for (const part of text.replace(/%\d+$/, "").split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) return undefined;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (last < first || step < 1) return undefined;
    ranges.push({ first, last, step });
  }
  return ranges;
}

/** Whether `taskId` is one of the tasks in `ranges`. */
export function inTaskRanges(ranges: readonly TaskRange[], taskId: number): boolean {
  return ranges.some((r) => taskId >= r.first && taskId <= r.last && (taskId - r.first) % r.step === 0);
}
