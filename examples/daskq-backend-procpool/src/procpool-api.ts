/**
 * The procpool agent's HTTP API, shared by the agent and the backend (JSON bodies; with a token,
 * every request carries `Authorization: Bearer <token>`):
 *
 * - `POST /jobs` {@link SubmitBody} -> 201 {@link SubmitAnswer}: runs `count` copies of a script.
 * - `GET /jobs?ids=1,2` -> 200 {@link StatusAnswer}: the jobs it knows, in ONE answer.
 * - `POST /jobs/cancel` {@link CancelBody} -> 200: unknown or ended ids are ignored.
 * - `GET /jobs/<id>/output` -> 200 the job's stdout and stderr as text; 404 for an unknown job.
 *
 * Errors are `{ "message": ... }` with a 4xx or 5xx status.
 */

/** A job's state as the agent reports it. */
export type AgentJobState = "waiting" | "running" | "done" | "failed" | "killed";

/** `POST /jobs`: `count` copies of `script`; each sees `PROCPOOL_TASK_INDEX` = 0..count-1. */
export interface SubmitBody {
  readonly script: string;
  readonly count: number;
  /** At most this many of these copies run at once. */
  readonly maxRunning?: number;
}

export interface SubmitAnswer {
  readonly ids: string[];
}

export interface AgentJob {
  readonly id: string;
  readonly state: AgentJobState;
  /** The exit code, once the job ended by itself. */
  readonly exitCode?: number;
}

export interface StatusAnswer {
  readonly jobs: AgentJob[];
}

export interface CancelBody {
  readonly ids: string[];
}

/** The environment variable holding a copy's index. */
export const TASK_INDEX_VARIABLE = "PROCPOOL_TASK_INDEX";
