import type { CommandResult, CommandRunner, JobSpec, RunOptions } from "@daskq/core";

/** One command a FakeRunner was asked to run. */
export interface RecordedCall {
  readonly command: string;
  readonly args: readonly string[];
}

type Reply = Partial<CommandResult> | ((call: RecordedCall) => Partial<CommandResult>);

/**
 * A CommandRunner that runs nothing: it records every command (argv) and file, and answers from
 * canned replies per command name (consumed in order; the last one repeats).
 */
export class FakeRunner implements CommandRunner {
  readonly description = "fake";
  readonly calls: RecordedCall[] = [];
  readonly files = new Map<string, { content: string; mode: number | undefined }>();
  private readonly replies = new Map<string, Reply[]>();
  private tempDirs = 0;

  /** Queue replies for `command`. */
  reply(command: string, ...replies: Reply[]): this {
    this.replies.set(command, [...(this.replies.get(command) ?? []), ...replies]);
    return this;
  }

  callsOf(command: string): RecordedCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  async run(command: string, args: readonly string[], _options?: RunOptions): Promise<CommandResult> {
    const call = { command, args: [...args] };
    this.calls.push(call);
    const queue = this.replies.get(command) ?? [];
    const next = queue.length > 1 ? queue.shift() : queue[0];
    const reply = typeof next === "function" ? next(call) : (next ?? {});
    return { exitCode: reply.exitCode ?? 0, stdout: reply.stdout ?? "", stderr: reply.stderr ?? "" };
  }

  async writeFile(path: string, content: string, options?: { mode?: number }): Promise<void> {
    this.files.set(path, { content, mode: options?.mode });
  }

  async readFile(path: string): Promise<string | undefined> {
    return this.files.get(path)?.content;
  }

  async makeTempDir(prefix: string): Promise<string> {
    return `/fake/tmp/${prefix}${++this.tempDirs}`;
  }

  async close(): Promise<void> {}
}

/** What `qstat --version` prints: PBS Pro on stdout, Torque on stderr (see pbs-flavour.ts). */
export const PRO_VERSION = { stdout: "pbs_version = 22.05.11\n" };
export const TORQUE_VERSION = { stderr: "Version: 6.1.3\nCommit: 0123abcd\n" };

/** A resolved JobSpec like the config loader would make for `jobqueue.pbs`: cores 8, memory 16GB, 1 h. */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    jobName: "dask-worker",
    cores: 8,
    memory: 16e9,
    processes: 2,
    python: "/usr/bin/python3",
    interface: undefined,
    deathTimeout: 60,
    localDirectory: undefined,
    workerCommand: "distributed.cli.dask_worker",
    workerExtraArgs: [],
    nanny: true,
    prologue: [],
    epilogue: [],
    extraDirectives: [],
    directivesSkip: [],
    logDirectory: undefined,
    shebang: "#!/usr/bin/env bash",
    walltime: 3600,
    queue: "q",
    account: "p",
    env: {},
    backendOptions: {},
    ...overrides,
  };
}
