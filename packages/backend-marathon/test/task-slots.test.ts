import { describe, expect, it } from "vitest";
import { TaskSlots, type MarathonApp, type MarathonTask } from "../src/index.js";

const task = (id: string, state = "TASK_RUNNING"): MarathonTask => ({ id, appId: "/daskq/c1", host: "node1", state });
const app = (tasks: MarathonTask[], lastTaskFailure?: MarathonApp["lastTaskFailure"]): MarathonApp => ({
  id: "/daskq/c1",
  instances: tasks.length,
  tasks,
  ...(lastTaskFailure ? { lastTaskFailure } : {}),
});
const failure = (taskId: string, message = "Command exited with status 127") => ({ taskId, state: "TASK_FAILED", message, host: "node1", timestamp: "2026-01-01T00:00:00.000Z" });
const statusOf = (slots: TaskSlots, id: string, tasks: MarathonTask[]) => slots.status(slots.get(id)!, new Map(tasks.map((t) => [t.id, t])));

describe("TaskSlots: daskq jobs on Marathon tasks", () => {
  it("gives each new task the oldest empty slot, and reports task states as job states", () => {
    const slots = new TaskSlots("/daskq/c1");
    const [a, b] = slots.add(2);
    expect(slots.wanted).toBe(2);
    expect(statusOf(slots, a!, [])).toMatchObject({ state: "queued", native: "WAITING" });
    const tasks = [task("t1", "TASK_STAGING"), task("t2")];
    expect(slots.observe(app(tasks)).extraTasks).toEqual([]);
    expect(statusOf(slots, a!, tasks)).toEqual({ state: "queued", native: "TASK_STAGING" });
    expect(statusOf(slots, b!, tasks)).toEqual({ state: "running", native: "TASK_RUNNING" });
  });

  it("maps a worker named after a task that no poll has seen yet to an empty slot", () => {
    const slots = new TaskSlots("/daskq/c1");
    const [a] = slots.add(1);
    expect(slots.slotOfTask("daskq_c1.instance-x._app.1")?.id).toBe(a);
    expect(slots.slotOfTask("daskq_c1.instance-x._app.1")?.id).toBe(a);
    expect(slots.slotOfTask("daskq_c1.instance-y._app.1")).toBeUndefined();
  });

  it("fails a slot whose task is gone with Marathon's failure message, and calls Marathon's relaunch an extra", () => {
    const slots = new TaskSlots("/daskq/c1");
    const [a] = slots.add(1);
    slots.observe(app([task("t1")]));
    // t1 failed, Marathon relaunched t2 in its place.
    const observed = slots.observe(app([task("t2", "TASK_STAGING")], failure("t1")));
    expect(statusOf(slots, a!, [])).toEqual({ state: "failed", native: "TASK_FAILED", reason: "TASK_FAILED: Command exited with status 127" });
    expect(observed.extraTasks).toEqual(["t2"]);
    expect(slots.wanted).toBe(0);
    // t2 is never given to a later slot while it is being killed.
    const [b] = slots.add(1);
    slots.observe(app([task("t2", "TASK_KILLING")], failure("t1")));
    expect(statusOf(slots, b!, [])).toMatchObject({ state: "queued", native: "WAITING" });
  });

  it("gives the failure of a task no poll saw to the oldest waiting slot, once", () => {
    const slots = new TaskSlots("/daskq/c1");
    const [a, b] = slots.add(2);
    slots.observe(app([], failure("t9", "Command exited with status 1")));
    expect(statusOf(slots, a!, [])).toMatchObject({ state: "failed", reason: "TASK_FAILED: Command exited with status 1" });
    slots.observe(app([], failure("t9", "Command exited with status 1")));
    expect(statusOf(slots, b!, [])).toMatchObject({ state: "queued" });
  });

  it("cancels: tasks of running slots to kill, empty slots end at once; a gone task of a cancelled slot is cancelled", () => {
    const slots = new TaskSlots("/daskq/c1");
    const [a, b, c] = slots.add(3);
    slots.observe(app([task("t1"), task("t2")]));
    expect(slots.cancel([a!, c!, "unknown"])).toEqual({ tasks: ["t1"], empty: 1 });
    expect(slots.cancel([a!])).toEqual({ tasks: [], empty: 0 });
    expect(slots.wanted).toBe(1);
    expect(statusOf(slots, c!, [])).toMatchObject({ state: "cancelled" });
    slots.observe(app([task("t2")]));
    expect(statusOf(slots, a!, [])).toMatchObject({ state: "cancelled" });
    expect(statusOf(slots, b!, [task("t2")])).toMatchObject({ state: "running" });
  });

  it("reports a task that ended without a failure record as finished", () => {
    const slots = new TaskSlots("/daskq/c1");
    const [a] = slots.add(1);
    slots.observe(app([task("t1")]));
    slots.observe(app([]));
    expect(statusOf(slots, a!, [])).toMatchObject({ state: "finished", native: "GONE" });
  });
});
