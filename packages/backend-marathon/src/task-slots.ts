import type { JobStatus } from "@daskq/core";
import type { MarathonApp, MarathonTask, MarathonTaskFailure } from "./marathon-api.js";
import { jobStateOfTask } from "./marathon-task-state.js";

/** One daskq job on Marathon: a place for one task of the app. */
export interface TaskSlot {
  readonly id: string;
  /** The Marathon task filling it, once one was seen (its worker is named after it). */
  taskId: string | undefined;
  host: string | undefined;
  /** How it ended, once it did. */
  ended: JobStatus | undefined;
  cancelRequested: boolean;
}

/** What one look at the app found. */
export interface SlotObservation {
  /** Tasks no slot wants (Marathon relaunched a failed one, or started one too many): to kill. */
  readonly extraTasks: readonly string[];
}

/**
 * The jobs of one cluster on Marathon. Marathon picks task ids, so daskq's jobs are SLOTS
 * (`<app id>#<n>`): a submit adds slots and raises `instances`; each new task Marathon starts
 * fills the oldest empty slot (when it is first seen by a status poll, or when its worker, named
 * `$MESOS_TASK_ID`, joins first). A slot ends with its task: it never takes a second one, so a
 * task that fails is reported as a failed job, and the task Marathon relaunches in its place is
 * an extra to remove. `instances` should always equal the number of live slots (`wanted`).
 */
export class TaskSlots {
  private readonly slots = new Map<string, TaskSlot>();
  private readonly byTask = new Map<string, TaskSlot>();
  /** Failures already attributed (the app keeps reporting its last one). */
  private readonly knownFailures = new Set<string>();
  /** Extra tasks being killed: never given to a slot. */
  private readonly extras = new Set<string>();
  private next = 0;

  constructor(readonly appId: string) {}

  /** Adds `count` empty slots; resolves their ids. */
  add(count: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const slot: TaskSlot = { id: `${this.appId}#${this.next++}`, taskId: undefined, host: undefined, ended: undefined, cancelRequested: false };
      this.slots.set(slot.id, slot);
      ids.push(slot.id);
    }
    return ids;
  }

  get(id: string): TaskSlot | undefined {
    return this.slots.get(id);
  }

  /** Slots that hold or wait for a task and were not cancelled: what `instances` should be. */
  get wanted(): number {
    return [...this.slots.values()].filter((s) => !s.ended && !s.cancelRequested).length;
  }

  /** The slot of a task, filling the oldest empty slot with it when it is new. */
  slotOfTask(taskId: string, host?: string): TaskSlot | undefined {
    const known = this.byTask.get(taskId);
    if (known || this.extras.has(taskId)) return known;
    const empty = [...this.slots.values()].find((s) => !s.ended && !s.cancelRequested && s.taskId === undefined);
    if (!empty) return undefined;
    empty.taskId = taskId;
    empty.host = host;
    this.byTask.set(taskId, empty);
    return empty;
  }

  /** Marks slots as cancelled; resolves the tasks to kill and the number of slots that had none yet. */
  cancel(ids: readonly string[]): { tasks: string[]; empty: number } {
    const tasks: string[] = [];
    let empty = 0;
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (!slot || slot.ended || slot.cancelRequested) continue;
      slot.cancelRequested = true;
      if (slot.taskId) tasks.push(slot.taskId);
      else {
        empty++;
        slot.ended = { state: "cancelled", reason: "cancelled before Marathon launched a task" };
      }
    }
    return { tasks, empty };
  }

  /** Marks slots that never got their instances (the scale request failed) as failed. */
  fail(ids: readonly string[], reason: string): void {
    for (const id of ids) {
      const slot = this.slots.get(id);
      if (slot && !slot.ended) slot.ended = { state: "failed", reason };
    }
  }

  /** Every slot ends (the app is gone). */
  loseAll(reason: string): void {
    for (const slot of this.slots.values()) if (!slot.ended) slot.ended = { state: "lost", reason };
  }

  /** Updates the slots from the app with its tasks and `lastTaskFailure` (ONE `GET /v2/apps/{id}`). */
  observe(app: MarathonApp): SlotObservation {
    const tasks = app.tasks ?? [];
    const live = new Map(tasks.map((t) => [t.id, t]));
    const extraTasks = tasks.filter((t) => !this.extras.has(t.id) && t.state !== "TASK_KILLING" && !this.slotOfTask(t.id, t.host)).map((t) => t.id);
    for (const id of extraTasks) this.extras.add(id);
    const failure = app.lastTaskFailure;
    for (const slot of this.slots.values()) {
      if (slot.ended || slot.taskId === undefined || live.has(slot.taskId)) continue;
      slot.ended = this.endOf(slot, failure);
    }
    // A task can start and fail between two looks: its failure goes to the oldest slot still waiting.
    if (failure && !this.knownFailures.has(failure.taskId) && !this.byTask.has(failure.taskId)) {
      this.knownFailures.add(failure.taskId);
      const waiting = [...this.slots.values()].find((s) => !s.ended && !s.cancelRequested && s.taskId === undefined);
      if (waiting) {
        waiting.taskId = failure.taskId;
        waiting.host = failure.host;
        this.byTask.set(failure.taskId, waiting);
        waiting.ended = failedWith(failure);
      }
    }
    return { extraTasks };
  }

  /** The status of a slot, given the app's live tasks. */
  status(slot: TaskSlot, tasks: ReadonlyMap<string, MarathonTask>): JobStatus {
    if (slot.ended) return slot.ended;
    const task = slot.taskId === undefined ? undefined : tasks.get(slot.taskId);
    if (!task) return { state: "queued", native: "WAITING", reason: "waiting for Marathon to launch a task" };
    return { state: jobStateOfTask(task.state, slot.cancelRequested), native: task.state };
  }

  private endOf(slot: TaskSlot, failure: MarathonTaskFailure | undefined): JobStatus {
    if (slot.cancelRequested) return { state: "cancelled", native: "TASK_KILLED" };
    if (failure !== undefined && failure.taskId === slot.taskId) {
      this.knownFailures.add(failure.taskId);
      return failedWith(failure);
    }
    return { state: "finished", native: "GONE", reason: `task ${slot.taskId} ended; Marathon keeps no record of how (it records only failures)` };
  }
}

function failedWith(failure: MarathonTaskFailure): JobStatus {
  return { state: "failed", native: failure.state, reason: `${failure.state}: ${failure.message}` };
}
