import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalRunner, type CommandResult, type CommandRunner, type RunOptions } from "@daskq/core";

/**
 * The PBS EMULATOR (packages/testing/emulators/pbs): `qsub`, `qstat`, `qselect` and `qdel` written in Node.js
 * that run jobs as real local processes and print the documented PBS Pro/OpenPBS or Torque output
 * formats. It is not PBS; it exists because no PBS can be installed on the test machines.
 */
export type PbsEmulatorFlavour = "pro" | "torque";

/** Directory of the emulator's `qsub`, `qstat`, `qselect` and `qdel`. Put first on PATH only for the commands under test. */
export const PBS_EMULATOR_BIN = fileURLToPath(new URL("../emulators/pbs/bin", import.meta.url));

/** Where the emulator keeps its jobs unless told otherwise. */
export const PBS_EMULATOR_DEFAULT_STATE = join(tmpdir(), "daskq-pbs-emulator");

/** Settings of one emulated server. */
export interface PbsEmulatorOptions {
  /** State directory (`DASKQ_PBS_EMULATOR_STATE`); default `PBS_EMULATOR_DEFAULT_STATE`. */
  readonly stateDir?: string;
  /** Server name in job ids (`123.<server>`); default `emulator`. */
  readonly server?: string;
  /** Queues that exist, the first being the default; default `workq` (Pro) or `batch` (Torque). */
  readonly queues?: readonly string[];
  /** Seconds between SIGTERM and SIGKILL when a running job is deleted; default 2. */
  readonly killDelaySeconds?: number;
  /** Milliseconds a job stays queued before it runs; default 0. */
  readonly startDelayMs?: number;
  /** Seconds finished jobs stay visible; default 3600. */
  readonly historySeconds?: number;
  /** PBS Pro's job_history_enable; false: `qstat -x` is refused and finished jobs vanish at once. Default true. */
  readonly jobHistory?: boolean;
  /** Working directory of commands that do not set one (where default `<name>.o<seq>` files land); default `<stateDir>/workdir`. */
  readonly workDir?: string;
  /** The emulator's bin directory as the inner runner's machine sees it; default `PBS_EMULATOR_BIN` (e.g. a copy made over SSH by `uploadEmulator`). */
  readonly bin?: string;
}

/** The environment that selects the emulator flavour and settings (without PATH). */
export function pbsEmulatorEnv(flavour: PbsEmulatorFlavour, options: PbsEmulatorOptions = {}): Record<string, string> {
  const env: Record<string, string> = {
    DASKQ_PBS_EMULATOR_FLAVOUR: flavour,
    DASKQ_PBS_EMULATOR_STATE: options.stateDir ?? PBS_EMULATOR_DEFAULT_STATE,
  };
  if (options.server !== undefined) env["DASKQ_PBS_EMULATOR_SERVER"] = options.server;
  if (options.queues !== undefined) env["DASKQ_PBS_EMULATOR_QUEUES"] = options.queues.join(",");
  if (options.killDelaySeconds !== undefined) env["DASKQ_PBS_EMULATOR_KILL_DELAY"] = String(options.killDelaySeconds);
  if (options.startDelayMs !== undefined) env["DASKQ_PBS_EMULATOR_START_DELAY_MS"] = String(options.startDelayMs);
  if (options.historySeconds !== undefined) env["DASKQ_PBS_EMULATOR_HISTORY"] = String(options.historySeconds);
  if (options.jobHistory !== undefined) env["DASKQ_PBS_EMULATOR_JOB_HISTORY"] = String(options.jobHistory);
  return env;
}

/**
 * A CommandRunner for tests of PBS backends: it wraps another runner (a LocalRunner by default) and
 * runs every command with the emulator's bin directory FIRST on PATH and the emulator settings in the
 * environment, so `qsub`, `qstat`, `qselect` and `qdel` are the emulator's even where a real batch system owns
 * /usr/bin/qsub. Files and temp dirs go straight to the inner runner.
 */
export class PbsEmulatorRunner implements CommandRunner {
  readonly description: string;
  private readonly env: Record<string, string>;
  private readonly workDir: string;

  constructor(
    readonly flavour: PbsEmulatorFlavour,
    readonly options: PbsEmulatorOptions = {},
    private readonly inner: CommandRunner = new LocalRunner(),
  ) {
    this.description = `${inner.description} with the PBS ${flavour} EMULATOR`;
    this.env = pbsEmulatorEnv(flavour, options);
    this.workDir = options.workDir ?? join(options.stateDir ?? PBS_EMULATOR_DEFAULT_STATE, "workdir");
  }

  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const path = options.env?.["PATH"] ?? process.env["PATH"] ?? "";
    const bin = this.options.bin ?? PBS_EMULATOR_BIN;
    const env = { ...this.env, ...options.env, PATH: path ? `${bin}:${path}` : bin };
    let cwd = options.cwd;
    if (cwd === undefined) {
      // On another machine (SSH) the caller made the working directory there.
      if (!this.inner.forwardLocalPort) mkdirSync(this.workDir, { recursive: true });
      cwd = this.workDir;
    }
    return this.inner.run(command, args, { ...options, env, cwd });
  }

  writeFile(path: string, content: string, options?: { mode?: number }): Promise<void> {
    return this.inner.writeFile(path, content, options);
  }

  readFile(path: string): Promise<string | undefined> {
    return this.inner.readFile(path);
  }

  homeDirectory(): Promise<string> {
    return this.inner.homeDirectory();
  }

  makeTempDir(prefix: string): Promise<string> {
    return this.inner.makeTempDir(prefix);
  }

  /** The inner runner's port forwarding, when it reaches another machine (SSH). */
  get forwardLocalPort(): CommandRunner["forwardLocalPort"] {
    return this.inner.forwardLocalPort?.bind(this.inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A runner whose `qsub`/`qstat`/`qdel` are the PBS EMULATOR of the given flavour. */
export function pbsEmulatorRunner(flavour: PbsEmulatorFlavour, options: PbsEmulatorOptions = {}, inner?: CommandRunner): PbsEmulatorRunner {
  return new PbsEmulatorRunner(flavour, options, inner);
}

/**
 * Kills everything the emulator still runs for `flavour` under `stateDir`, e.g. in a test's
 * afterAll: first every job's MoM (so none starts or records anything more), then the process group
 * of every task that has not ended (SIGKILL). Returns how many task groups it hit.
 */
export function killPbsEmulatorJobs(flavour: PbsEmulatorFlavour, stateDir: string = PBS_EMULATOR_DEFAULT_STATE): number {
  const jobsDir = join(stateDir, flavour, "jobs");
  const dirs = safeReaddir(jobsDir).map((seq) => join(jobsDir, seq));
  for (const dir of dirs) {
    const mom = readJson<{ pid?: number }>(join(dir, "mom.json"));
    if (mom?.pid) killGroup(mom.pid);
  }
  let killed = 0;
  for (const dir of dirs) {
    for (const file of safeReaddir(dir)) {
      if (!file.endsWith(".start") || existsSync(join(dir, file.replace(/\.start$/, ".end")))) continue;
      const start = readJson<{ pid?: number }>(join(dir, file));
      if (start?.pid && killGroup(start.pid)) killed++;
    }
  }
  return killed;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function killGroup(pid: number): boolean {
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
