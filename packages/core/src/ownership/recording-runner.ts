import type { CommandResult, CommandRunner, LocalForward, RunOptions } from "../runner/command-runner.js";

/**
 * The runner a pool's backend gets: it passes every call on to `inner`, and records each
 * temporary directory `makeTempDir` makes (`record` resolves once it is on disk) before
 * returning it, so that a watchdog removes the directory after a crash.
 */
export class RecordingRunner implements CommandRunner {
  declare readonly forwardLocalPort?: (remoteHost: string, remotePort: number) => Promise<LocalForward>;

  constructor(
    private readonly inner: CommandRunner,
    private readonly record: (directory: string) => Promise<void>,
  ) {
    // Present only when the inner runner has it: its presence says "another machine".
    if (inner.forwardLocalPort) this.forwardLocalPort = (host, port) => (inner.forwardLocalPort as NonNullable<CommandRunner["forwardLocalPort"]>).call(inner, host, port);
  }

  get description(): string {
    return this.inner.description;
  }

  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
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

  async makeTempDir(prefix: string): Promise<string> {
    const directory = await this.inner.makeTempDir(prefix);
    await this.record(directory);
    return directory;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
