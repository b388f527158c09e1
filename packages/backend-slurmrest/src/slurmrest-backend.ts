import { SBATCH, outputFileOf, parseJobId, readDirectives, readSlurmOptions, renderSlurmHeader, taskJobId, type SlurmOptions } from "@daskq/backend-slurm";
import {
  checkSubmitRequest,
  DaskqError,
  isTerminal,
  lastLines,
  runChecked,
  silentLogger,
  type ArrayIndex,
  type Backend,
  type BackendCapabilities,
  type CommandRunner,
  type JobStatus,
  type Logger,
  type NamedJob,
  type ScriptFormat,
  type SubmitRequest,
} from "@daskq/core";
import { ArrayBook } from "./cancel-plan.js";
import { liveTasksOfArray, namedJobsOfRecords, statusOfRecords } from "./job-records.js";
import { checkTokenClaims, readTokenClaims } from "./jwt.js";
import { jobProperties, type JobProperties } from "./sbatch-options.js";
import type { SlurmRestClient } from "./slurmrest-client.js";
import { readSlurmRestOptions, type SlurmRestOptions } from "./slurmrest-options.js";

/** The PATH a job starts with: slurmrestd passes no environment of the client's (sbatch's --export=ALL has no REST twin). */
export const JOB_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** At most this many `DELETE` requests at once when tasks are cancelled one by one. */
const CANCEL_CONCURRENCY = 8;

/**
 * Slurm through slurmrestd. The job is the one backend-slurm submits: the same `#SBATCH` header
 * (rendered by backend-slurm, with `job-extra-directives` and `job-directives-skip` applied by core),
 * which this backend translates into the job properties slurmrestd wants, because slurmrestd does
 * not read `#SBATCH` lines. n jobs are ONE `POST job/submit` with `array`; a status poll is ONE
 * `GET jobs`; cancelling every live task of an array is ONE `DELETE job/<array id>`.
 */
export class SlurmRestBackend implements Backend {
  readonly name = "slurmrest";
  readonly capabilities: BackendCapabilities;
  readonly arrayIndex: ArrayIndex | undefined;
  readonly script: ScriptFormat = { directivePrefix: SBATCH, header: renderSlurmHeader };

  private readonly slurm: SlurmOptions;
  private readonly arrays = new ArrayBook();
  private readonly outputFiles = new Map<string, string>();
  private readonly createdDirectories = new Set<string>();
  private connection: { readonly options: SlurmRestOptions; readonly client: SlurmRestClient } | undefined;

  /**
   * @param values The validated values of its config section (`jobqueue.slurmrest`). Slurm's keys are read at once; how to
   *   reach slurmrestd (`url`/`socket`/`token`, ...) only by `prepare()`, so that a backend made to
   *   ask its capabilities or its header needs no server.
   * @param runner Where job output files are read and the output directory is created: a host that
   *   sees the cluster's file system (this machine on a login node, or a login node over SSH).
   * @param makeClient The client for the connection options (TCP with JWT, or the local socket).
   * @param section The config section `values` were read from, named in errors.
   */
  constructor(
    private readonly values: Readonly<Record<string, unknown>> | undefined,
    private readonly runner: CommandRunner,
    private readonly makeClient: (options: SlurmRestOptions) => SlurmRestClient,
    private readonly logger: Logger = silentLogger,
    private readonly section = "slurmrest",
  ) {
    this.slurm = readSlurmOptions(values, section);
    this.capabilities = { arrays: this.slurm.arrays };
    this.arrayIndex = this.slurm.arrays ? { variable: "SLURM_ARRAY_TASK_ID", first: 0 } : undefined;
  }

  /**
   * Reads the connection options, checks the token's own claims (expired, another user), then
   * discovers the API version and has slurmctld accept the caller: a bad token fails here, before
   * anything is submitted.
   *
   * @throws ConfigError for missing or malformed connection options; DaskqError for a token that
   *   cannot work or a server that cannot be used.
   */
  async prepare(): Promise<void> {
    const { options, client } = this.connect();
    const auth = options.auth;
    if (auth) checkTokenClaims(readTokenClaims(auth.token), auth.user, Date.now() / 1000);
    await client.connect();
  }

  /** ONE `POST job/submit` for `count` jobs (an array `0-(count-1)[%limit]` when count > 1). */
  async submit(request: SubmitRequest): Promise<string[]> {
    checkSubmitRequest(this.name, request, this.slurm.arrays, "jobqueue.slurmrest.arrays: false");
    const script = request.script;
    if (script === undefined) throw new DaskqError(this.name, "a submit request without a job script; core renders one for every script backend");
    const job = this.jobOf(script, request);
    await this.prepare();
    const { client } = this.connect();
    await this.ensureDirectory(request.outputDirectory);
    const jobId = String(await client.submit(script, job));
    const ids = request.count === 1 ? [jobId] : Array.from({ length: request.count }, (_, i) => taskJobId(jobId, i));
    if (request.count > 1) this.arrays.add(jobId, request.count);
    for (const id of ids) this.adoptJob(id, request);
    this.logger.debug(`slurmrest: ${client.apiVersion} job/submit -> ${ids.length === 1 ? ids[0] : `${ids[0]} ... ${ids.at(-1)}`}`);
    return ids;
  }

  /** ONE `GET jobs` for all `ids`; nothing is asked when none of them is a Slurm id. */
  async status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const wanted = ids.filter((id) => parseJobId(id) !== undefined);
    if (wanted.length === 0) return new Map();
    await this.prepare();
    const records = await this.connect().client.jobs();
    const result = statusOfRecords(records, wanted, (word) => this.logger.warn(`slurmrest: unknown Slurm job state ${word}; treating it as queued`));
    for (const [id, status] of result) if (isTerminal(status.state)) this.arrays.ended(id);
    return result;
  }

  /** The unfinished jobs named `name`, array tasks one by one, from ONE `GET jobs` (a submit whose answer was lost is found by name). */
  async jobsNamed(name: string): Promise<NamedJob[]> {
    await this.prepare();
    return namedJobsOfRecords(await this.connect().client.jobs(), name);
  }

  /**
   * `DELETE job/<id>` per target: one per array whose live tasks are all cancelled, else one per
   * job or task. Tasks of arrays another process submitted (the watchdog's cleanup after a crash)
   * cost ONE `GET jobs` first, to learn those arrays' live tasks. Unknown and finished ids are not
   * an error.
   */
  async cancel(ids: readonly string[]): Promise<void> {
    const unknown = this.arrays.unknownArrays(ids);
    if (unknown.length > 0) {
      await this.prepare();
      const records = await this.connect().client.jobs();
      for (const arrayJobId of unknown) this.arrays.learn(arrayJobId, liveTasksOfArray(records, arrayJobId));
    }
    const targets = this.arrays.plan(ids);
    if (targets.length === 0) return;
    await this.prepare();
    const { client } = this.connect();
    for (let i = 0; i < targets.length; i += CANCEL_CONCURRENCY) {
      await Promise.all(targets.slice(i, i + CANCEL_CONCURRENCY).map((target) => client.cancel(target)));
    }
  }

  /** Remembers where job `id` writes its output, for `logTail` (also of a job another process submitted, e.g. `daskq logs`). */
  adoptJob(id: string, request: Pick<SubmitRequest, "spec" | "outputDirectory">): void {
    const file = outputFileOf(request.outputDirectory, request.spec.jobName, id);
    if (file !== undefined) this.outputFiles.set(id, file);
  }

  /** The last `lines` lines of the job's output file, read through the runner. */
  async logTail(id: string, lines: number): Promise<string | undefined> {
    const path = this.outputFiles.get(id);
    if (path === undefined) return undefined;
    return lastLines(await this.runner.readFile(path), lines);
  }

  /** The job properties of the script's header, with what sbatch would add: environment, working directory, array. */
  private jobOf(script: string, request: SubmitRequest): JobProperties {
    const job = jobProperties(readDirectives(script));
    job["environment"] = { PATH: JOB_PATH };
    job["current_working_directory"] ??= request.outputDirectory;
    if (request.count > 1) {
      const limit = request.maxRunning ?? this.slurm.arrayMaxRunning;
      job["array"] = `0-${request.count - 1}${limit === undefined ? "" : `%${limit}`}`;
    }
    return job;
  }

  /** The connection options and client, made once. */
  private connect(): { readonly options: SlurmRestOptions; readonly client: SlurmRestClient } {
    if (!this.connection) {
      const options = readSlurmRestOptions(this.values, process.env, this.section);
      this.connection = { options, client: this.makeClient(options) };
    }
    return this.connection;
  }

  /** `mkdir -p` of the output directory through the runner, once: Slurm does not create it, and a job without it fails at launch. */
  private async ensureDirectory(directory: string): Promise<void> {
    if (this.createdDirectories.has(directory)) return;
    await runChecked(this.runner, this.name, "mkdir", ["-p", "--", directory], {
      hint: "Slurm does not create the output directory, and jobs whose output directory is missing fail at launch",
    });
    this.createdDirectories.add(directory);
  }
}
