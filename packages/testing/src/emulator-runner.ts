import { LocalRunner, type CommandResult, type CommandRunner, type RunOptions } from "@daskq/core";

/**
 * A `CommandRunner` that runs every command through `inner` (a `LocalRunner` by default) with an
 * emulator's bin directory FIRST on PATH and the emulator's settings in the environment, so that a
 * backend's batch commands reach the emulator even where a real batch system owns /usr/bin. Files,
 * temp dirs and port forwarding go straight to `inner`. (The LSF and PBS emulator runners predate
 * it and keep their own copies.)
 */
export class EmulatorRunner implements CommandRunner {
  constructor(
    /** What the emulator is, for `description`, e.g. "HTCondor emulator". */
    private readonly label: string,
    /** The emulator's bin directory as `inner`'s machine sees it. */
    readonly bin: string,
    /** The emulator's settings, added to every command's environment. */
    private readonly settings: Readonly<Record<string, string>>,
    private readonly inner: CommandRunner = new LocalRunner(),
  ) {}

  get description(): string {
    return `${this.inner.description} (${this.label})`;
  }

  /** The environment the emulator's commands get (on top of the inner runner's). */
  environment(extra?: Readonly<Record<string, string>>): Record<string, string> {
    const path = extra?.["PATH"] ?? process.env["PATH"] ?? "";
    return { ...this.settings, ...extra, PATH: path === "" ? this.bin : `${this.bin}:${path}` };
  }

  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return this.inner.run(command, args, { ...options, env: this.environment(options.env) });
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
