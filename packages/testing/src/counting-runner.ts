import { LocalRunner, type CommandResult, type CommandRunner, type RunOptions } from "@daskq/core";

/** A CommandRunner that records every command it runs, to prove "one call per poll" claims. */
export class CountingRunner implements CommandRunner {
  readonly calls: Array<{ command: string; args: readonly string[] }> = [];

  constructor(private readonly inner: CommandRunner = new LocalRunner()) {}

  get description(): string {
    return `counting ${this.inner.description}`;
  }

  /** How many times `command` ran. */
  count(command: string): number {
    return this.calls.filter((c) => c.command === command).length;
  }

  /** Forget the calls recorded so far. */
  reset(): void {
    this.calls.length = 0;
  }

  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.calls.push({ command, args });
    return this.inner.run(command, args, options);
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
