import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { Client, SFTPWrapper } from "ssh2";
import { DaskqError } from "../errors.js";
import { shellQuote } from "../shell-quote.js";
import { silentLogger, type Logger } from "../logger.js";
import type { CommandResult, CommandRunner, LocalForward, RunOptions } from "../runner/command-runner.js";
import { ChannelSlots } from "./channel-slots.js";
import { openLocalForward } from "./local-forward.js";
import { SshConnection, type SshConnectionOptions } from "./ssh-connection.js";
import { parseSshDestination } from "./ssh-destination.js";
import { resolveSshEndpoint } from "./ssh-endpoint.js";

/** Options of an `SshRunner`. */
export interface SshRunnerOptions extends SshConnectionOptions {
  /**
   * Commands running at once on the connection (each is a session channel). Default 8: with the
   * SFTP session that stays under OpenSSH's default `MaxSessions 10`. More wait their turn.
   */
  readonly maxChannels?: number;
}

/** The server refused to open a session channel (nothing ran). */
class ChannelRefused extends DaskqError {}

/** SFTP status code for "no such file". */
const SFTP_NO_SUCH_FILE = 2;

/**
 * Runs commands and moves files on a login node over ONE SSH connection (ssh2): every command is a
 * channel of that connection (at most `maxChannels` at once), files are read and written through
 * SFTP on the same connection, and ports are forwarded through it. Every CLI backend works through
 * it unchanged.
 *
 * Commands are sent as one line for the remote login shell with EVERY word single-quoted, so no
 * argument, environment value or directory can inject shell. The login shell must be POSIX-like
 * (sh, bash, ksh, zsh).
 *
 * When the connection drops, running commands fail with a clear error (the command may or may not
 * have run), and the next call reconnects, with back-off (see `SshConnection`).
 */
export class SshRunner implements CommandRunner {
  private readonly slots: ChannelSlots;
  private readonly logger: Logger;
  private sftpSession: { client: Client; sftp: Promise<SFTPWrapper> } | undefined;
  private home: Promise<string> | undefined;
  private readonly forwards = new Set<LocalForward>();
  private readonly inFlight = new Set<(error: Error) => void>();

  constructor(
    /** The one connection everything goes through. */
    readonly connection: SshConnection,
    options: SshRunnerOptions = {},
  ) {
    this.slots = new ChannelSlots(options.maxChannels ?? 8);
    this.logger = options.logger ?? silentLogger;
    connection.on("lost", (error) => {
      this.sftpSession = undefined;
      for (const fail of [...this.inFlight]) fail(error);
    });
  }

  /**
   * A runner for `user@host:port` or a `~/.ssh/config` alias, resolved through the OpenSSH config.
   * Nothing connects until the first use (or `connect()`).
   *
   * @param where Names the setting in errors, e.g. `--ssh`.
   */
  static to(destination: string, options: SshRunnerOptions = {}, where?: string): SshRunner {
    const endpoint = resolveSshEndpoint(parseSshDestination(destination, where), options);
    return new SshRunner(new SshConnection(endpoint, options), options);
  }

  get description(): string {
    return `ssh ${this.connection.description}`;
  }

  /** TCP connections opened to the server so far (1 unless it had to reconnect). */
  get connectionsOpened(): number {
    return this.connection.connectionsOpened;
  }

  /** Connects now (host key check and authentication), so that problems show before anything else runs. */
  async connect(): Promise<void> {
    await this.connection.client();
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const line = remoteCommandLine(command, args, options);
    const timeoutMs = options.timeoutMs ?? 60_000;
    return this.slots.with(async () => {
      // The server frees a finished session a little after its channel closed, so a new channel can
      // be refused for a moment even within MaxSessions. A refused channel ran nothing: try again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.exec(command, line, options.input, timeoutMs);
        } catch (error) {
          if (!(error instanceof ChannelRefused) || attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 25 * attempt));
        }
      }
    });
  }

  private async exec(command: string, line: string, input: string | undefined, timeoutMs: number): Promise<CommandResult> {
    const client = await this.connection.client();
    return new Promise<CommandResult>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(lost);
        reject(error);
      };
      const lost = (error: Error) =>
        fail(new DaskqError("ssh", `${command} was interrupted: ${error.message.replace(/^\[daskq:ssh\] /, "")}; it may or may not have run`, { cause: error }));
      this.inFlight.add(lost);
      client.exec(line, (error, stream) => {
        if (error) {
          const Refusal = /open failed|open failure/i.test(error.message) ? ChannelRefused : DaskqError;
          return fail(new Refusal("ssh", `could not start ${command} on ${this.connection.description}: ${error.message}`, { cause: error }));
        }
        if (settled) return stream.close();
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exit: { code: number | undefined; signal: string | undefined } | undefined;
        timer = setTimeout(() => {
          stream.signal("KILL");
          stream.close();
          fail(new DaskqError("runner", `could not run ${command} on ${this.connection.description}: timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        stream.on("data", (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        stream.on("exit", (code: number | null, signal?: string) => (exit = { code: code ?? undefined, signal }));
        stream.on("close", () => {
          if (settled) return;
          if (!exit) return lost(new DaskqError("ssh", "the channel closed without an exit status"));
          settled = true;
          clearTimeout(timer);
          this.inFlight.delete(lost);
          const result = { exitCode: exit.code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
          if (result.exitCode === 127 && /not found|No such file or directory/.test(result.stderr)) {
            reject(new DaskqError("runner", `could not run ${command} on ${this.connection.description}: ${result.stderr.trim()}`));
          } else resolve(result);
        });
        stream.end(input ?? "");
      });
    });
  }

  async writeFile(path: string, content: string, options: { mode?: number } = {}): Promise<void> {
    const sftp = await this.sftp();
    await this.makeDirectories(sftp, posix.dirname(path));
    const mode = options.mode ?? 0o644;
    await sftpCall<void>((done) => sftp.writeFile(path, content, { mode }, done), `write ${path}`);
    await sftpCall<void>((done) => sftp.chmod(path, mode, done), `chmod ${path}`);
  }

  async readFile(path: string): Promise<string | undefined> {
    const sftp = await this.sftp();
    try {
      const data = await sftpCall<Buffer>((done) => sftp.readFile(path, done), `read ${path}`);
      return data.toString("utf8");
    } catch (error) {
      if (((error as DaskqError).cause as { code?: number } | undefined)?.code === SFTP_NO_SUCH_FILE) return undefined;
      throw error;
    }
  }

  /** Makes `/tmp/<prefix><random>` (mode 0700) on the server through SFTP. */
  async makeTempDir(prefix: string): Promise<string> {
    const sftp = await this.sftp();
    for (let attempt = 0; ; attempt++) {
      const path = `/tmp/${prefix}${randomBytes(6).toString("hex")}`;
      try {
        await sftpCall<void>((done) => sftp.mkdir(path, { mode: 0o700 }, done), `mkdir ${path}`);
        return path;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  /** The login user's home directory on the server (asked once, through SFTP). */
  homeDirectory(): Promise<string> {
    this.home ??= this.sftp().then((sftp) => sftpCall<string>((done) => sftp.realpath(".", done), "realpath ."));
    this.home.catch(() => (this.home = undefined));
    return this.home;
  }

  /**
   * Forwards a local port (127.0.0.1, a free one unless `localPort`) to `remoteHost:remotePort` as
   * the server sees it, through this connection. It survives reconnections and closes with the runner.
   */
  async forwardLocalPort(remoteHost: string, remotePort: number, localPort = 0): Promise<LocalForward> {
    await this.connect();
    const forward = await openLocalForward(() => this.connection.client(), remoteHost, remotePort, this.logger, localPort);
    this.forwards.add(forward);
    return {
      host: forward.host,
      port: forward.port,
      close: async () => {
        this.forwards.delete(forward);
        await forward.close();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.forwards].map((f) => f.close()));
    this.forwards.clear();
    this.connection.close();
  }

  /** The SFTP session of the current connection (one per connection, opened on first use). */
  private async sftp(): Promise<SFTPWrapper> {
    const client = await this.connection.client();
    if (this.sftpSession?.client !== client) {
      const sftp = this.slots.with(
        () =>
          new Promise<SFTPWrapper>((resolve, reject) =>
            client.sftp((error, session) => (error ? reject(new DaskqError("ssh", `cannot open SFTP on ${this.connection.description}: ${error.message}`, { cause: error })) : resolve(session))),
          ),
      );
      this.sftpSession = { client, sftp };
      sftp.catch(() => {
        if (this.sftpSession?.sftp === sftp) this.sftpSession = undefined;
      });
    }
    return this.sftpSession.sftp;
  }

  /** `mkdir -p` through SFTP. */
  private async makeDirectories(sftp: SFTPWrapper, dir: string): Promise<void> {
    if (dir === "/" || dir === ".") return;
    try {
      await sftpCall<unknown>((done) => sftp.stat(dir, done), `stat ${dir}`);
      return;
    } catch (error) {
      if (((error as DaskqError).cause as { code?: number } | undefined)?.code !== SFTP_NO_SUCH_FILE) throw error;
    }
    await this.makeDirectories(sftp, posix.dirname(dir));
    await sftpCall<void>((done) => sftp.mkdir(dir, done), `mkdir ${dir}`).catch(async (error: unknown) => {
      // Made meanwhile by someone else: fine if it is there now.
      await sftpCall<unknown>((done) => sftp.stat(dir, done), `stat ${dir}`).catch(() => Promise.reject(error));
    });
  }
}

/**
 * The line sent to the login shell: `[cd DIR && ]exec [env K=V ... ]COMMAND ARGS...`, every word
 * single-quoted.
 *
 * @throws DaskqError for an environment variable name that is not a shell identifier.
 */
export function remoteCommandLine(command: string, args: readonly string[], options: Pick<RunOptions, "env" | "cwd"> = {}): string {
  const env = Object.entries(options.env ?? {}).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new DaskqError("ssh", `invalid environment variable name for a remote command: ${JSON.stringify(key)}`);
    return shellQuote(`${key}=${value}`);
  });
  const words = [...(env.length > 0 ? ["env", ...env] : []), shellQuote(command), ...args.map(shellQuote)];
  const cd = options.cwd ? `cd ${shellQuote(options.cwd)} && ` : "";
  return `${cd}exec ${words.join(" ")}`;
}

function sftpCall<T>(call: (done: (error: Error | null | undefined, value: T) => void) => void, what: string): Promise<T> {
  return new Promise((resolve, reject) =>
    call((error, value) => (error ? reject(new DaskqError("ssh", `SFTP ${what} failed: ${error.message}`, { cause: error })) : resolve(value))),
  );
}
