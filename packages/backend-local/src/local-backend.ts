import { posix } from "node:path";
import {
  DaskqError,
  lastLines,
  runChecked,
  type Backend,
  type BackendContext,
  type JobStatus,
  type ScriptFormat,
  type SubmitRequest,
} from "@daskq/core";
import { CANCEL, LAUNCH, STATUS } from "./local-launch.js";

interface LocalJob {
  readonly script: string;
  readonly log: string;
  readonly exitFile: string;
}

/** Local job scripts have no directives. */
const NO_HEADER: ScriptFormat = { directivePrefix: "", header: () => [] };

/**
 * Jobs are local processes, each in its own session. It needs no batch system and passes the same
 * conformance suite as the real ones. Commands go through the CommandRunner, so with an SSH runner
 * the "local" jobs run on the remote host. A job's output goes to `<output directory>/<cluster id>-<n>.log`.
 */
export class LocalBackend implements Backend {
  readonly name = "local";
  readonly capabilities = { arrays: false };
  readonly script = NO_HEADER;
  private workDir: string | undefined;
  private readonly outputDirectories = new Set<string>();
  private counter = 0;
  private readonly jobs = new Map<string, LocalJob>();

  constructor(
    private readonly context: BackendContext,
    /** Seconds between SIGTERM and SIGKILL on cancel. */
    private readonly graceSeconds = 10,
  ) {}

  async submit(request: SubmitRequest): Promise<string[]> {
    if (request.count !== 1) throw new DaskqError("local", `cannot submit ${request.count} jobs as an array; submit them one by one`);
    if (request.script === undefined) throw new DaskqError("local", "a submit request without a job script; core renders one for this backend");
    this.workDir ??= await this.context.runner.makeTempDir("daskq-local-");
    if (!this.outputDirectories.has(request.outputDirectory)) {
      await runChecked(this.context.runner, "local", "mkdir", ["-p", "--", request.outputDirectory]);
      this.outputDirectories.add(request.outputDirectory);
    }
    const n = this.counter++;
    const job: LocalJob = {
      script: `${this.workDir}/job-${n}.sh`,
      log: posix.join(request.outputDirectory, `${this.context.clusterId}-${n}.log`),
      exitFile: `${this.workDir}/job-${n}.exit`,
    };
    await this.context.runner.writeFile(job.script, request.script, { mode: 0o755 });
    const result = await runChecked(this.context.runner, "local", "sh", ["-c", LAUNCH, "daskq-local", job.script, job.log, job.exitFile]);
    const pid = result.stdout.trim();
    if (!/^\d+$/.test(pid)) throw new DaskqError("local", `could not start ${job.script}: launcher printed '${pid}'`);
    this.jobs.set(pid, job);
    return [pid];
  }

  /** Jobs this backend did not start (a dead cluster's) are seen and cancelled by pid while their launcher runs. */
  async status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const known = ids.filter((id) => /^\d+$/.test(id));
    const result = new Map<string, JobStatus>();
    if (known.length === 0) return result;
    const out = await runChecked(this.context.runner, "local", "sh", ["-c", STATUS, "daskq-local", ...known.map((id) => this.arg(id))]);
    for (const line of out.stdout.split("\n")) {
      const [pid, kind, code] = line.trim().split(/\s+/);
      if (!pid || !kind) continue;
      result.set(pid, toStatus(kind, code));
    }
    return result;
  }

  async cancel(ids: readonly string[]): Promise<void> {
    const known = ids.filter((id) => /^\d+$/.test(id));
    if (known.length === 0) return;
    await runChecked(this.context.runner, "local", "sh", ["-c", CANCEL, "daskq-local", String(this.graceSeconds), ...known.map((id) => this.arg(id))], {
      timeoutMs: (this.graceSeconds + 30) * 1000,
    });
  }

  /** The end of the job's log (its script's stdout and stderr), read through the runner. */
  async logTail(id: string, lines: number): Promise<string | undefined> {
    const log = this.jobs.get(id)?.log;
    return log === undefined ? undefined : lastLines(await this.context.runner.readFile(log), lines);
  }

  async close(): Promise<void> {
    if (this.workDir) await this.context.runner.run("rm", ["-rf", this.workDir]);
  }

  private arg(id: string): string {
    return `${id}:${this.jobs.get(id)?.exitFile ?? ""}`;
  }
}

function toStatus(kind: string, code: string | undefined): JobStatus {
  if (kind === "running") return { state: "running", native: "running" };
  if (kind === "gone") return { state: "lost", native: "gone", reason: "process vanished without an exit code" };
  if (code === "cancelled") return { state: "cancelled", native: "cancelled" };
  if (code === "0") return { state: "finished", native: "exit 0" };
  return { state: "failed", native: `exit ${code}`, reason: `job script exited with code ${code}` };
}
