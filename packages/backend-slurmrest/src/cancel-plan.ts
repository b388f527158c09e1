import { parseJobId, taskJobId } from "@daskq/backend-slurm";

/**
 * The live tasks of the arrays this backend submitted, so that a cancel of ALL of an array's live
 * tasks is one `DELETE job/<array id>` instead of one request per task.
 */
export class ArrayBook {
  private readonly live = new Map<string, Set<number>>();

  /** Records a new array of `count` tasks (0 .. count-1). */
  add(arrayJobId: string, count: number): void {
    this.live.set(arrayJobId, new Set(Array.from({ length: count }, (_, i) => i)));
  }

  /** Records the live tasks of an array another process submitted (learnt from slurmctld). */
  learn(arrayJobId: string, liveTasks: readonly number[]): void {
    this.live.set(arrayJobId, new Set(liveTasks));
  }

  /** The arrays of which `ids` hold two or more tasks, but whose live tasks this book does not know. */
  unknownArrays(ids: readonly string[]): string[] {
    const counts = new Map<string, number>();
    for (const id of new Set(ids)) {
      const parsed = parseJobId(id);
      if (parsed?.kind === "task" && !this.live.has(parsed.arrayJobId)) counts.set(parsed.arrayJobId, (counts.get(parsed.arrayJobId) ?? 0) + 1);
    }
    return [...counts].filter(([, n]) => n > 1).map(([arrayJobId]) => arrayJobId);
  }

  /** Forgets a task that has ended (it needs no cancel any more). */
  ended(id: string): void {
    const parsed = parseJobId(id);
    if (parsed?.kind !== "task") return;
    const tasks = this.live.get(parsed.arrayJobId);
    tasks?.delete(parsed.taskId);
    if (tasks?.size === 0) this.live.delete(parsed.arrayJobId);
  }

  /**
   * What to send `DELETE job/<target>` for, to cancel `ids`: an array's id when `ids` hold all its
   * live tasks, else each id (task or job) on its own. Ids that are not Slurm ids are left out. The
   * targets are forgotten as live.
   */
  plan(ids: readonly string[]): string[] {
    const targets: string[] = [];
    const byArray = new Map<string, number[]>();
    for (const id of new Set(ids)) {
      const parsed = parseJobId(id);
      if (!parsed) continue;
      if (parsed.kind === "task") byArray.set(parsed.arrayJobId, [...(byArray.get(parsed.arrayJobId) ?? []), parsed.taskId]);
      else targets.push(parsed.jobId);
    }
    for (const [arrayJobId, tasks] of byArray) {
      const live = this.live.get(arrayJobId);
      if (live && [...live].every((t) => tasks.includes(t))) {
        targets.push(arrayJobId);
        this.live.delete(arrayJobId);
        continue;
      }
      for (const t of tasks) {
        targets.push(taskJobId(arrayJobId, t));
        live?.delete(t);
      }
    }
    return targets;
  }
}
