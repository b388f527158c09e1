import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT_CODE_FILE, renderTsiScript } from "./tsi-script.js";

/** UNICORE's job states, in order (pyunicore `client.JobStatus`; unicorex `Jobs.convertStatus`). */
export type UnicoreJobStatus = "UNDEFINED" | "READY" | "STAGINGIN" | "QUEUED" | "RUNNING" | "STAGINGOUT" | "SUCCESSFUL" | "FAILED";

/** `jobType` as UNICORE renders it (`Jobs.getJobType`). */
export type UnicoreJobType = "BATCH" | "ALLOCATE" | "ON_LOGIN_NODE";

/** How the emulator runs jobs. */
export interface JobRuntime {
  /** Directory holding every job's working directory (the storage root). */
  readonly storageRoot: string;
  /** Environment every job starts from (PATH etc). */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** Directory of the emulator's `srun` (first on PATH of tasks in an allocation). */
  readonly binDirectory: string;
  /** ms a batch job stays QUEUED before it runs. */
  readonly queueDelayMs: number;
  /** IDB: ApplicationName -> executable line. */
  readonly applications: Readonly<Record<string, string>>;
  /** Next batch system id (a Slurm-like number). */
  nextBatchSystemId(): string;
}

/** Thrown for an operation UNICORE refuses (rendered as an `errorMessage`). */
export class UnicoreOperationError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One job of the UNICORE EMULATOR: a real process (`bash` running a TSI-shaped script) in its own
 * session and its own working directory `<storageRoot>/<id>/`, a sibling of every other job's, as
 * on a UNICORE site (the working directory is the job's `<id>-uspace` storage).
 */
export class EmulatedJob {
  readonly id = randomUUID();
  readonly submissionTime = new Date();
  readonly workingDirectory: string;
  readonly jobType: UnicoreJobType;
  readonly tags: string[];
  readonly log: string[] = [];
  status: UnicoreJobStatus = "READY";
  statusMessage = "";
  exitCode: number | undefined;
  batchSystemId: string | undefined;
  /** Tasks submitted into this allocation. */
  readonly tasks: EmulatedJob[] = [];
  private child: ChildProcess | undefined;
  private queueTimer: NodeJS.Timeout | undefined;
  private aborting = false;
  private readonly ended: Promise<void>;
  private markEnded!: () => void;

  constructor(
    readonly owner: string,
    readonly description: Readonly<Record<string, unknown>>,
    private readonly runtime: JobRuntime,
    /** The allocation this task runs in, for tasks submitted into one. */
    readonly allocation?: EmulatedJob,
  ) {
    this.workingDirectory = join(runtime.storageRoot, this.id) + "/";
    mkdirSync(this.workingDirectory, { recursive: true });
    const type = String(description["Job type"] ?? "BATCH").toUpperCase();
    this.jobType = allocation ? "ON_LOGIN_NODE" : type === "ALLOCATE" ? "ALLOCATE" : type === "INTERACTIVE" || type === "ON_LOGIN_NODE" ? "ON_LOGIN_NODE" : "BATCH";
    this.tags = asStrings(description["Tags"] ?? description["tags"]);
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    this.log.push(`Created with ID ${this.id}`);
  }

  get terminal(): boolean {
    return this.status === "SUCCESSFUL" || this.status === "FAILED";
  }

  /** Process id of the job's script (its session leader), while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Resolves once the job is SUCCESSFUL or FAILED. */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  /** `action:start`: a READY job goes on; starting a started job changes nothing (pyunicore always starts). */
  start(): void {
    if (this.status !== "READY") return;
    this.status = "QUEUED";
    const delay = this.jobType === "BATCH" || this.jobType === "ALLOCATE" ? this.runtime.queueDelayMs : 0;
    this.queueTimer = setTimeout(() => this.run(), delay);
  }

  /** `action:abort`: kills the job's processes; the job ends FAILED with "Job aborted." (DefaultProcessor.handleAborting). */
  abort(): void {
    if (this.terminal) throw new UnicoreOperationError(500, "Error handling action: 'abort': Cannot abort the action.");
    this.log.push("Got 'abort' request.");
    this.aborting = true;
    for (const task of this.tasks) if (!task.terminal) task.abort();
    if (this.queueTimer) clearTimeout(this.queueTimer);
    if (this.child && this.child.exitCode === null && this.child.pid) {
      this.signal("SIGTERM");
      setTimeout(() => this.signal("SIGKILL"), 3_000).unref();
    } else {
      this.finish("FAILED", "Job aborted.");
    }
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }

  private run(): void {
    if (this.aborting) return;
    let executable = typeof this.description["Executable"] === "string" ? (this.description["Executable"] as string) : undefined;
    const application = this.description["ApplicationName"];
    if (!executable && typeof application === "string") {
      executable = this.runtime.applications[application];
      if (!executable) return this.finish("FAILED", `Could not find application <${application}> in the IDB.`);
    }
    if (!executable && this.jobType === "ALLOCATE") executable = "sleep infinity";
    if (!executable) return this.finish("FAILED", "No executable and no application given.");
    this.batchSystemId = this.jobType === "ON_LOGIN_NODE" ? `INTERACTIVE_${this.runtime.nextBatchSystemId()}` : this.runtime.nextBatchSystemId();
    const environment: Record<string, string> = { ...environmentOf(this.description["Environment"]) };
    const env: Record<string, string> = { ...this.runtime.baseEnvironment };
    if (this.allocation) {
      environment["SLURM_JOB_ID"] = this.allocation.batchSystemId ?? "";
      env["DASKQ_UNICORE_EMULATOR_NODES"] = this.allocation.nodeDirectory;
      env["PATH"] = `${this.runtime.binDirectory}:${env["PATH"] ?? "/usr/bin:/bin"}`;
    }
    if (this.jobType === "ALLOCATE") this.prepareNodes();
    const script = renderTsiScript({
      environment,
      workingDirectory: this.workingDirectory,
      executable,
      arguments: asStrings(this.description["Arguments"]),
      userDn: `CN=${this.owner}, O=UNICORE, C=EU`,
      // Pre/post commands run on the login node unless asked otherwise; the emulator has no login node to run them on.
      userPreCommand: this.description["RunUserPrecommandOnLoginNode"] === false ? multiLine(this.description["User precommand"]) : undefined,
      userPostCommand: this.description["RunUserPostcommandOnLoginNode"] === false ? multiLine(this.description["User postcommand"]) : undefined,
    });
    const scriptPath = join(this.workingDirectory, "UNICORE_Job_script");
    writeFileSync(scriptPath, script, { mode: 0o700 });
    const out = openSync(join(this.workingDirectory, stringOr(this.description["Stdout"], "stdout")), "a");
    const err = openSync(join(this.workingDirectory, stringOr(this.description["Stderr"], "stderr")), "a");
    try {
      this.child = spawn("/bin/bash", [scriptPath], { cwd: this.workingDirectory, env, detached: true, stdio: ["ignore", out, err] });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    this.status = "RUNNING";
    this.log.push(`Submitted to TSI with BSSID=${this.batchSystemId}`);
    this.child.on("error", (error) => this.finish("FAILED", `Could not start: ${error.message}`));
    this.child.on("exit", (code, signal) => this.onExit(code, signal));
  }

  /** For allocations: one slot directory per node, taken by the emulator's `srun`. */
  get nodeDirectory(): string {
    return join(this.workingDirectory, ".nodes");
  }

  private prepareNodes(): void {
    const resources = (this.description["Resources"] ?? {}) as Record<string, unknown>;
    const nodes = Math.max(1, Number.parseInt(String(resources["Nodes"] ?? "1"), 10) || 1);
    mkdirSync(this.nodeDirectory, { recursive: true });
    writeFileSync(join(this.nodeDirectory, "count"), `${nodes}\n`);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.aborting) return this.finish("FAILED", "Job aborted.");
    let exitCode = code ?? 128 + (signal ? 15 : 0);
    try {
      exitCode = Number.parseInt(readFileSync(join(this.workingDirectory, EXIT_CODE_FILE), "utf8").trim(), 10);
    } catch {
      // the script did not get to write it
    }
    this.exitCode = exitCode;
    for (const task of this.tasks) if (!task.terminal) task.abort();
    if (exitCode === 0 || this.description["IgnoreNonZeroExitCode"] === true) this.finish("SUCCESSFUL", "");
    else
      this.finish(
        "FAILED",
        `User application exited with non-zero exit code: <${exitCode}>. More information might be available in the job's working directory '${this.workingDirectory}'`,
      );
  }

  private finish(status: "SUCCESSFUL" | "FAILED", message: string): void {
    if (this.terminal) return;
    this.status = status;
    this.statusMessage = message;
    this.log.push(`Result: ${status === "SUCCESSFUL" ? "Success." : `Failed. ${message}`}`);
    this.markEnded();
  }
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") return value.split(/[ +,]/).filter(Boolean);
  return [];
}

/** A string, or a list of lines (JSONUtils.readMultiLine). */
function multiLine(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(String).join("\n");
  return typeof value === "string" ? value : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** `Environment` as a map, or as a list of `K=V` (JSONParser.parseEnvironment). */
function environmentOf(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map(String).map((entry) => {
        const i = entry.indexOf("=");
        return i < 0 ? [entry, ""] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  return {};
}
