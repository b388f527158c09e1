import { DaskqError, lastLines, type Backend, type JobState, type JobStatus, type ScriptFormat, type SubmitRequest } from "@daskq/core";
import { TASK_INDEX_VARIABLE, type AgentJobState, type StatusAnswer, type SubmitAnswer, type SubmitBody } from "./procpool-api.js";

/** core's job state for each agent state. */
const STATES: Record<AgentJobState, JobState> = { waiting: "queued", running: "running", done: "finished", failed: "failed", killed: "cancelled" };

/** Where the agent is, from the backend's config keys (`jobqueue.procpool.url` / `.token`). */
export interface ProcpoolConnection {
  readonly url: string;
  readonly token?: string | undefined;
}

/**
 * Worker jobs run by a procpool agent over HTTP. The agent runs scripts, so core renders each job's
 * script (TLS files, prologue, scheduler check, worker, epilogue) and this backend sends it: `n`
 * copies in ONE request, all states in ONE request per poll.
 */
export class ProcpoolBackend implements Backend {
  readonly name = "procpool";
  readonly capabilities = { arrays: true };
  /** The agent numbers the copies of a submission 0..n-1; each worker names itself after its copy. */
  readonly arrayIndex = { variable: TASK_INDEX_VARIABLE, first: 0 };
  /** Plain scripts: no header directives (resources are the agent's slots). */
  readonly script: ScriptFormat = { directivePrefix: "", header: () => [] };

  constructor(private readonly connection: ProcpoolConnection) {}

  async submit(request: SubmitRequest): Promise<string[]> {
    if (request.script === undefined) throw new DaskqError("procpool", "a submission without its job script (core renders it for backends with `script`)");
    const body: SubmitBody = { script: request.script, count: request.count, ...(request.maxRunning ? { maxRunning: request.maxRunning } : {}) };
    const { ids } = (await this.call("POST", "/jobs", body)) as SubmitAnswer;
    return ids;
  }

  async status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const report = new Map<string, JobStatus>();
    if (ids.length === 0) return report;
    const { jobs } = (await this.call("GET", `/jobs?ids=${ids.map(encodeURIComponent).join(",")}`)) as StatusAnswer;
    for (const job of jobs) {
      report.set(job.id, { state: STATES[job.state], native: job.state, ...(job.exitCode ? { reason: `exit code ${job.exitCode}` } : {}) });
    }
    return report;
  }

  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.call("POST", "/jobs/cancel", { ids });
  }

  async logTail(id: string, lines: number): Promise<string | undefined> {
    const response = await this.fetch("GET", `/jobs/${encodeURIComponent(id)}/output`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw await this.failure("GET", "/jobs/.../output", response);
    return lastLines(await response.text(), lines);
  }

  /** One JSON request; a non-2xx answer is a DaskqError with the agent's message. */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.fetch(method, path, body);
    if (!response.ok) throw await this.failure(method, path, response);
    return response.json();
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.connection.token) headers["authorization"] = `Bearer ${this.connection.token}`;
    try {
      return await fetch(`${this.connection.url.replace(/\/+$/, "")}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      throw new DaskqError("procpool", `cannot reach the procpool agent at ${this.connection.url} (jobqueue.procpool.url): ${(error as Error).cause ?? (error as Error).message}`);
    }
  }

  private async failure(method: string, path: string, response: Response): Promise<DaskqError> {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // Not JSON: keep the text.
    }
    return new DaskqError("procpool", `${method} ${path} answered ${response.status}: ${message}`);
  }
}
