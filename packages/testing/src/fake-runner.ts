import type { CommandResult, CommandRunner, RunOptions } from "@daskq/core";

/** One command a FakeRunner was asked to run. */
export interface RecordedCall {
  readonly command: string;
  readonly args: readonly string[];
  /** What was written to its standard input, if anything. */
  readonly input: string | undefined;
}

/** A canned reply, or a function of the call that makes one. */
export type FakeReply = Partial<CommandResult> | ((call: RecordedCall) => Partial<CommandResult>);

/**
 * A CommandRunner that runs nothing, for backends' unit tests: it records every command (argv and
 * stdin), every file written and the order of everything (`events`), and answers each command
 * from its queue of canned replies (consumed in order; the last one repeats; none means exit 0).
 */
export class FakeRunner implements CommandRunner {
  readonly description = "fake";
  readonly calls: RecordedCall[] = [];
  readonly files = new Map<string, { content: string; mode: number | undefined }>();
  /** `run <command>`, `write <path>` and `mktemp`, in order. */
  readonly events: string[] = [];
  private readonly replies = new Map<string, FakeReply[]>();
  private tempDirs = 0;

  /** Queues replies for `command`. */
  reply(command: string, ...replies: FakeReply[]): this {
    this.replies.set(command, [...(this.replies.get(command) ?? []), ...replies]);
    return this;
  }

  /** The calls of one command, in order. */
  callsOf(command: string): RecordedCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const call: RecordedCall = { command, args: [...args], input: options.input };
    this.calls.push(call);
    this.events.push(`run ${command}`);
    const queue = this.replies.get(command) ?? [];
    const next = queue.length > 1 ? queue.shift() : queue[0];
    const reply = typeof next === "function" ? next(call) : (next ?? {});
    return { exitCode: reply.exitCode ?? 0, stdout: reply.stdout ?? "", stderr: reply.stderr ?? "" };
  }

  async writeFile(path: string, content: string, options?: { mode?: number }): Promise<void> {
    this.events.push(`write ${path}`);
    this.files.set(path, { content, mode: options?.mode });
  }

  async readFile(path: string): Promise<string | undefined> {
    return this.files.get(path)?.content;
  }

  async homeDirectory(): Promise<string> {
    return "/fake/home";
  }

  async makeTempDir(prefix: string): Promise<string> {
    this.events.push("mktemp");
    return `/fake/tmp/${prefix}${++this.tempDirs}`;
  }

  async close(): Promise<void> {}
}
