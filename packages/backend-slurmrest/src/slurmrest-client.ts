import { AuthenticationError, DaskqError, silentLogger, type Logger } from "@daskq/core";
import { chooseVersion, offeredVersions } from "./api-version.js";
import type { HttpRequest, HttpTransport } from "./http-transport.js";
import type { JobProperties } from "./sbatch-options.js";

/** JWT authentication: sent as `X-SLURM-USER-NAME` and `X-SLURM-USER-TOKEN` with every request. */
export interface JwtAuth {
  readonly user: string;
  readonly token: string;
}

/** One entry of slurmrestd's `errors[]`. */
export interface SlurmApiError {
  readonly error?: string;
  readonly error_number?: number;
  readonly description?: string;
  readonly source?: string;
}

/** The fields of a job record (`GET /slurm/<version>/jobs`) that daskq reads. */
export interface JobRecord {
  readonly job_id: number;
  /** The batch job name (`--job-name`). */
  readonly name?: string;
  /** The array's job id for an array task (0 otherwise). */
  readonly array_job_id?: number;
  /** The task index; null for a record that stands for the array's still pending tasks. */
  readonly array_task_id?: number | null;
  /** The still pending tasks of an array, e.g. `0-31` or `4,7-9%2`; empty otherwise. */
  readonly array_task_string?: string;
  readonly job_state?: string;
  readonly state_reason?: string;
}

/** An answer of slurmrestd that carried `errors[]`: Slurm's own text, with the API version. */
export class SlurmRestError extends DaskqError {
  readonly errors: readonly SlurmApiError[];
  readonly httpStatus: number;

  constructor(message: string, errors: readonly SlurmApiError[], httpStatus: number) {
    super("slurmrest", message);
    this.errors = errors;
    this.httpStatus = httpStatus;
  }
}

/** The text of one `errors[]` entry: Slurm's description, then the error name, number and source. */
export function describeApiError(e: SlurmApiError): string {
  const detail = [e.error && e.error !== e.description ? e.error : undefined, e.error_number === undefined ? undefined : `error ${e.error_number}`, e.source]
    .filter(Boolean)
    .join(", ");
  const text = e.description || e.error || "(no description)";
  return detail ? `${text} (${detail})` : text;
}

/**
 * A small client for slurmrestd's `slurm` OpenAPI plugin. `connect()` discovers the plugin versions
 * the server offers (`GET /openapi`), picks the newest one both sides speak, and checks that
 * slurmctld accepts the caller (`GET /slurm/<version>/ping`), so that a refused token is reported
 * before anything is submitted. Every error names the endpoint and the API version; the token never
 * appears in an error or a log line.
 */
export class SlurmRestClient {
  private version: string | undefined;
  private connecting: Promise<string> | undefined;

  /**
   * @param transport TCP or unix socket.
   * @param auth JWT credentials; undefined for the local socket mode.
   * @param pinnedVersion `api-version`: speak this version instead of the newest common one.
   */
  constructor(
    private readonly transport: HttpTransport,
    private readonly auth: JwtAuth | undefined,
    private readonly pinnedVersion?: string,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** The version in use once `connect()` resolved. */
  get apiVersion(): string | undefined {
    return this.version;
  }

  /** Discovery and the auth check, once (again after a failure). Resolves the version in use. */
  connect(): Promise<string> {
    if (!this.connecting) {
      const attempt = this.discover();
      attempt.catch(() => {
        if (this.connecting === attempt) this.connecting = undefined;
      });
      this.connecting = attempt;
    }
    return this.connecting;
  }

  /** `POST job/submit`: one job, or one array when `job.array` is set. Resolves the job id. */
  async submit(script: string, job: JobProperties): Promise<number> {
    const answer = (await this.call("POST", "job/submit", JSON.stringify({ script, job }))) as { job_id?: unknown };
    if (typeof answer.job_id !== "number") throw this.fail("POST", "job/submit", `the answer holds no job_id: ${JSON.stringify(answer).slice(0, 300)}`);
    return answer.job_id;
  }

  /** `GET jobs`: every job slurmctld knows (finished ones for MinJobAge), in ONE request. */
  async jobs(): Promise<JobRecord[]> {
    const answer = (await this.call("GET", "jobs")) as { jobs?: unknown };
    if (!Array.isArray(answer.jobs)) throw this.fail("GET", "jobs", "the answer holds no jobs list");
    return answer.jobs as JobRecord[];
  }

  /**
   * `DELETE job/<id>`: cancels a job, a whole array (`123`) or one task (`123_4`). Resolves false
   * when Slurm does not know the id (`Invalid job id specified`); a finished job is not an error.
   */
  async cancel(id: string): Promise<boolean> {
    try {
      await this.call("DELETE", `job/${encodeURIComponent(id)}`);
      return true;
    } catch (error) {
      if (error instanceof SlurmRestError && error.errors.length > 0 && error.errors.every(isHarmlessCancelError)) return false;
      throw error;
    }
  }

  private async discover(): Promise<string> {
    const openapi = await this.request("GET", "/openapi", undefined, "discovering the API version");
    const offered = offeredVersions(this.parse(openapi.body, "GET", "/openapi", openapi.status, "discovering the API version"));
    this.version = chooseVersion(offered, this.transport.endpoint, this.pinnedVersion);
    this.logger.debug(`slurmrest: ${this.transport.endpoint} offers ${offered.join(", ")}; speaking ${this.version}`);
    try {
      await this.call("GET", "ping");
    } catch (error) {
      const who = this.auth ? `user ${this.auth.user} with the given JWT` : "the local socket's user";
      const hint = this.auth
        ? "slurmctld refused the request: the token is invalid, expired, or signed with another key. Make a new one with `scontrol token` (slurmctld's log says why)"
        : "slurmctld refused the request";
      throw new DaskqError("slurmrest", `${this.where("GET", "ping")}: slurmctld does not accept ${who}: ${(error as Error).message.replace(/^\[daskq:slurmrest\] /, "")}. ${hint}`, {
        cause: error,
      });
    }
    return this.version;
  }

  /** A request to `/slurm/<version>/<path>`; resolves the parsed answer, throws on `errors[]`. */
  private async call(method: HttpRequest["method"], path: string, body?: string): Promise<Record<string, unknown>> {
    const version = this.version ?? (await this.connect());
    const full = `/slurm/${version}/${path}`;
    const answer = await this.request(method, full, body, version);
    const parsed = this.parse(answer.body, method, path, answer.status, version) as Record<string, unknown>;
    const errors = Array.isArray(parsed["errors"]) ? (parsed["errors"] as SlurmApiError[]) : [];
    if (errors.length > 0) throw new SlurmRestError(`${this.where(method, path)}: ${errors.map(describeApiError).join("; ")}`, errors, answer.status);
    if (answer.status !== 200) throw new SlurmRestError(`${this.where(method, path)}: HTTP ${answer.status} without an error text`, [], answer.status);
    return parsed;
  }

  private async request(method: HttpRequest["method"], path: string, body: string | undefined, version: string) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.auth) {
      headers["X-SLURM-USER-NAME"] = this.auth.user;
      headers["X-SLURM-USER-TOKEN"] = this.auth.token;
    }
    let answer;
    try {
      answer = await this.transport.send({ method, path, headers, body });
    } catch (error) {
      throw new DaskqError("slurmrest", `${version}: ${(error as Error).message.replace(/^\[daskq:slurmrest\] /, "")}`, { cause: error });
    }
    if (answer.status === 401) {
      const what = this.auth ? `user ${this.auth.user} and a token` : "no token (local socket mode)";
      throw new AuthenticationError(
        "slurmrest",
        `slurmrestd at ${this.transport.endpoint} (${version}) refused ${method} ${path} with ${what}: HTTP 401 ${answer.body.trim().slice(0, 200)}. ` +
          (this.auth ? "Is slurmrestd started with rest_auth/jwt?" : "The socket accepts only its own user and root; over TCP pass `token` or SLURM_JWT"),
      );
    }
    return answer;
  }

  private parse(body: string, method: string, path: string, status: number, version: string): unknown {
    try {
      return JSON.parse(body);
    } catch {
      throw new DaskqError("slurmrest", `slurmrestd at ${this.transport.endpoint} (${version}) ${method} ${path}: HTTP ${status} with a body that is not JSON: ${body.trim().slice(0, 200)}`);
    }
  }

  private where(method: string, path: string): string {
    return `slurmrestd at ${this.transport.endpoint} (${this.version}) ${method} ${path}`;
  }

  private fail(method: string, path: string, why: string): DaskqError {
    return new DaskqError("slurmrest", `${this.where(method, path)}: ${why}`);
  }
}

/** Slurm's answers for an unknown job (ESLURM_INVALID_JOB_ID) or one that has ended (ESLURM_ALREADY_DONE). */
function isHarmlessCancelError(e: SlurmApiError): boolean {
  return e.error_number === 2017 || e.error_number === 2021 || /invalid job id|already completing or completed|job has already finished/i.test(`${e.error} ${e.description}`);
}
