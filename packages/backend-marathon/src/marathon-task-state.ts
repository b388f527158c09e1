import type { JobState } from "@daskq/core";

/**
 * Core's job state for a Mesos task state (`strings.MesosTaskState` of Marathon's RAML spec):
 * STAGING and STARTING wait for the agent, RUNNING and KILLING run a worker, FINISHED ended on its
 * own, FAILED and ERROR failed, KILLED was cancelled (or failed, if daskq did not ask), and the
 * states of a lost agent (UNREACHABLE, GONE, DROPPED, UNKNOWN, LOST) are lost.
 */
export function jobStateOfTask(state: string, cancelRequested: boolean): JobState {
  switch (state) {
    case "TASK_STAGING":
    case "TASK_STARTING":
      return "queued";
    case "TASK_RUNNING":
    case "TASK_KILLING":
      return "running";
    case "TASK_FINISHED":
      return "finished";
    case "TASK_KILLED":
      return cancelRequested ? "cancelled" : "failed";
    case "TASK_FAILED":
    case "TASK_ERROR":
      return "failed";
    default:
      return "lost";
  }
}
