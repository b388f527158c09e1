/**
 * Grid Engine job ids as daskq sees them: `123` for a job, `123.4` for task 4 of array job 123
 * (the `job.task` form qstat, qdel and qacct all understand).
 */
export type SgeJobId =
  | { readonly kind: "job"; readonly jobId: string }
  | { readonly kind: "task"; readonly jobId: string; readonly taskId: number };

/** Parses `123` or `123.4`; anything else is undefined. */
export function parseJobId(id: string): SgeJobId | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(id);
  if (!m) return undefined;
  const jobId = m[1] as string;
  if (m[2] === undefined) return { kind: "job", jobId };
  const taskId = Number(m[2]);
  return taskId >= 1 ? { kind: "task", jobId, taskId } : undefined;
}

/** The id of task `taskId` of array job `jobId`: `123.4`. */
export function taskJobId(jobId: string, taskId: number): string {
  return `${jobId}.${taskId}`;
}

/** An inclusive range of array task ids with a step. */
export interface TaskRange {
  readonly first: number;
  readonly last: number;
  readonly step: number;
}

/**
 * Parses Grid Engine's task id lists as qstat and qsub print them: `4`, `1-6:1`, `1,4-6:1,8-30:2`,
 * `3,4,6`. Undefined if it is not that notation.
 */
export function parseTaskRanges(text: string): TaskRange[] | undefined {
  const ranges: TaskRange[] = [];
  for (const part of text.trim().split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
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

/**
 * Sorted task ids as the fewest runs of consecutive ids: `[1, 2, 3, 7, 9, 10]` -> `1-3`, `7`, `9-10`.
 * Duplicates are dropped.
 */
export function compressTasks(taskIds: readonly number[]): string[] {
  const sorted = [...new Set(taskIds)].sort((a, b) => a - b);
  const runs: string[] = [];
  let start: number | undefined;
  let previous = 0;
  for (const id of sorted) {
    if (start !== undefined && id === previous + 1) {
      previous = id;
      continue;
    }
    if (start !== undefined) runs.push(start === previous ? String(start) : `${start}-${previous}`);
    start = id;
    previous = id;
  }
  if (start !== undefined) runs.push(start === previous ? String(start) : `${start}-${previous}`);
  return runs;
}
