/** What a command printed and how it ended. A non-zero exit is reported, not thrown. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for one command. */
export interface RunOptions {
  /** Text written to the command's standard input. */
  readonly input?: string;
  /** Kill the command after this many milliseconds (default 60 000). */
  readonly timeoutMs?: number;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory. */
  readonly cwd?: string;
}

/** A local TCP port whose connections reach a host and port on the runner's side (an SSH forward). */
export interface LocalForward {
  /** Always `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** Stops listening and cuts the forwarded connections. */
  close(): Promise<void>;
}

/**
 * Runs commands and writes files on the machine that talks to the batch system: this machine
 * (`LocalRunner`) or a login node over SSH. Every backend goes through it, never through
 * child_process directly, so that any CLI backend works remotely too.
 *
 * Arguments are passed as an argv array, never through a shell, so config values cannot inject shell.
 */
export interface CommandRunner {
  /** Human-readable target, e.g. `local` or `ssh root@login1`. */
  readonly description: string;
  /** Run `command` with `args`. Resolves with the exit code; rejects only if it could not be started or timed out. */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Write a file (creating parent directories), e.g. a job script. */
  writeFile(path: string, content: string, options?: { mode?: number }): Promise<void>;
  /** Read a text file; resolves undefined if it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** The user's home directory on the target (where daskq keeps a cluster's job output by default). */
  homeDirectory(): Promise<string>;
  /** A fresh private directory for this process's scripts, created on the target. */
  makeTempDir(prefix: string): Promise<string>;
  /**
   * Present when the runner reaches ANOTHER machine (SSH): forwards a local port to
   * `remoteHost:remotePort` as that machine sees it. The `remote` scheduler placement needs it.
   */
  forwardLocalPort?(remoteHost: string, remotePort: number): Promise<LocalForward>;
  /** Release connections. */
  close(): Promise<void>;
}
