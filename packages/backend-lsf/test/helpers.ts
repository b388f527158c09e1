import type { CommandResult, CommandRunner, JobSpec, RunOptions } from "@daskq/core";
import type { LsfEnvironment } from "../src/lsf-units.js";

/** One command the fake runner was asked to run, with its standard input. */
export interface FakeCall {
  readonly command: string;
  readonly args: readonly string[];
  readonly input: string | undefined;
}

type Answer = Partial<CommandResult> | ((call: FakeCall) => Partial<CommandResult>);

/**
 * A CommandRunner that runs nothing. It records commands (argv and stdin), files and the order of
 * everything, and answers each command from a queue of canned answers (the last one repeats).
 */
export class FakeRunner implements CommandRunner {
  readonly description = "fake";
  readonly calls: FakeCall[] = [];
  readonly files = new Map<string, { content: string; mode: number | undefined }>();
  readonly log: string[] = [];
  private readonly answers = new Map<string, Answer[]>();
  private dirs = 0;

  answer(command: string, ...answers: Answer[]): this {
    this.answers.set(command, [...(this.answers.get(command) ?? []), ...answers]);
    return this;
  }

  callsOf(command: string): FakeCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const call: FakeCall = { command, args: [...args], input: options.input };
    this.calls.push(call);
    this.log.push(`run ${command}`);
    const queue = this.answers.get(command) ?? [];
    const next = queue.length > 1 ? queue.shift() : queue[0];
    const answer = typeof next === "function" ? next(call) : (next ?? {});
    return { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
  }

  async writeFile(path: string, content: string, options?: { mode?: number }): Promise<void> {
    this.log.push(`write ${path}`);
    this.files.set(path, { content, mode: options?.mode });
  }

  async readFile(path: string): Promise<string | undefined> {
    return this.files.get(path)?.content;
  }

  async makeTempDir(prefix: string): Promise<string> {
    this.log.push("mktemp");
    return `/fake/tmp/${prefix}${++this.dirs}`;
  }

  async close(): Promise<void> {}
}

/** An lsf.conf lookup over an in-memory file system. */
export function fakeEnvironment(env: NodeJS.ProcessEnv, files: Record<string, string> = {}): LsfEnvironment {
  return { env, readFile: (path) => files[path] };
}

/** No lsf.conf anywhere: LSF's default unit (KB). */
export const NO_LSF_CONF = fakeEnvironment({});

/** A JobSpec like the config loader makes for `jobqueue.lsf`: cores 8, memory 16GB, 1 h, queue q, project p. */
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
