import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import ssh2, { type Client, type ConnectConfig } from "ssh2";
import { DaskqError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { describeHostKey, knownHostsName, KnownHosts, recordHostKey, type HostKey } from "./known-hosts.js";
import { planSshAuth, type SshAuthOptions } from "./ssh-auth.js";
import { formatSshDestination } from "./ssh-destination.js";
import { resolveSshEndpoint, type HostKeyPolicy, type SshConfigSources, type SshEndpoint } from "./ssh-endpoint.js";

/** How an `SshConnection` connects and reconnects. */
export interface SshConnectionOptions extends SshConfigSources, SshAuthOptions {
  /** Overrides `StrictHostKeyChecking`: `accept-new` records an unknown key (a changed one is still refused). */
  readonly hostKeyPolicy?: HostKeyPolicy;
  /** First delay before reconnecting after a lost connection or a failed attempt; doubles up to `maxReconnectDelayMs`. Default 1000. */
  readonly reconnectDelayMs?: number;
  /** Default 30 000. */
  readonly maxReconnectDelayMs?: number;
  readonly logger?: Logger;
}

/** Events of an `SshConnection`. */
export interface SshConnectionEvents {
  /** A connection is ready (the first one or a reconnection). */
  connected: [];
  /** The connection dropped; everything running on it failed. */
  lost: [error: Error];
}

/**
 * ONE SSH connection to a server (through `ProxyJump` hops if configured), kept alive with SSH
 * keepalives and re-established on demand: after a drop, the next `client()` call reconnects, but not
 * before a back-off delay (1 s, doubling to 30 s) has passed since the last failure; calls in the
 * meantime fail at once with the reason. Host keys are checked against known_hosts before
 * authentication: an unknown key is refused unless the policy is `accept-new` (then it is recorded),
 * a changed or revoked key is always refused, and neither is retried.
 */
export class SshConnection extends EventEmitter<SshConnectionEvents> {
  private current: { client: Client; jumps: Client[] } | undefined;
  private connecting: Promise<Client> | undefined;
  private failure: { error: Error; retryAt: number; permanent: boolean } | undefined;
  private delayMs: number;
  private closed = false;
  private opened = 0;
  private readonly logger: Logger;

  /**
   * @param endpoint The resolved server (see `resolveSshEndpoint`).
   */
  constructor(
    readonly endpoint: SshEndpoint,
    private readonly options: SshConnectionOptions = {},
  ) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.delayMs = options.reconnectDelayMs ?? 1_000;
  }

  /** `user@host:port` (the alias as written), for messages. */
  get description(): string {
    return formatSshDestination({ host: this.endpoint.name, user: this.endpoint.user, port: this.endpoint.port });
  }

  /** TCP connections opened to the server so far (jump hosts not counted). */
  get connectionsOpened(): number {
    return this.opened;
  }

  /** True while a connection is ready. */
  get isConnected(): boolean {
    return this.current !== undefined;
  }

  /**
   * The ready connection, connecting first if there is none.
   *
   * @throws DaskqError when the server cannot be reached or refuses us, when its host key is not
   *   trusted, or (without trying) while the back-off delay after a failure has not passed.
   */
  client(): Promise<Client> {
    if (this.closed) return Promise.reject(new DaskqError("ssh", `the connection to ${this.description} was closed`));
    if (this.current) return Promise.resolve(this.current.client);
    if (this.connecting) return this.connecting;
    const failure = this.failure;
    if (failure && (failure.permanent || Date.now() < failure.retryAt)) {
      const wait = failure.permanent ? "" : ` (next attempt in ${Math.ceil((failure.retryAt - Date.now()) / 1000)} s)`;
      return Promise.reject(new DaskqError("ssh", `not connected to ${this.description}${wait}: ${stripTag(failure.error.message)}`, { cause: failure.error }));
    }
    const attempt = this.open();
    this.connecting = attempt;
    attempt.then(
      () => {
        this.connecting = undefined;
        this.failure = undefined;
        this.delayMs = this.options.reconnectDelayMs ?? 1_000;
      },
      (error: Error) => {
        this.connecting = undefined;
        this.noteFailure(error, error instanceof HostKeyRefused);
      },
    );
    return attempt;
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.dropCurrent();
  }

  /** Drops the current connection (tests use it to simulate a network failure). */
  dropCurrent(): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.client.end();
    for (const jump of current.jumps) jump.end();
  }

  private noteFailure(error: Error, permanent: boolean): void {
    this.failure = { error, retryAt: Date.now() + this.delayMs, permanent };
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxReconnectDelayMs ?? 30_000);
  }

  private async open(): Promise<Client> {
    const jumps: Client[] = [];
    try {
      let sock: Duplex | undefined;
      const hops = this.endpoint.proxyJump.map((hop) => resolveSshEndpoint(hop, this.options));
      const next = [...hops.slice(1), this.endpoint];
      for (const [i, hop] of hops.entries()) {
        const jump = await this.handshake(hop, sock);
        jumps.push(jump);
        sock = await forwardTo(jump, next[i] as SshEndpoint);
      }
      const client = await this.handshake(this.endpoint, sock);
      this.opened++;
      this.current = { client, jumps };
      client.on("close", () => this.onClosed(client, new DaskqError("ssh", `the connection to ${this.description} was lost`)));
      client.on("error", (error) => this.onClosed(client, new DaskqError("ssh", `the connection to ${this.description} failed: ${error.message}`, { cause: error })));
      this.logger.debug(`ssh: connected to ${this.description}${jumps.length ? ` through ${this.endpoint.proxyJump.map(formatSshDestination).join(",")}` : ""}`);
      this.emit("connected");
      return client;
    } catch (error) {
      for (const jump of jumps) jump.end();
      throw error;
    }
  }

  private onClosed(client: Client, error: Error): void {
    if (this.current?.client !== client) return;
    this.dropCurrent();
    if (this.closed) return;
    this.logger.warn(`${stripTag(error.message)}; reconnecting on the next use`);
    this.noteFailure(error, false);
    this.emit("lost", error);
  }

  /** Connects, checks the host key, authenticates. */
  private async handshake(endpoint: SshEndpoint, sock: Duplex | undefined): Promise<Client> {
    const knownHosts = await KnownHosts.read(endpoint.knownHostsFiles);
    const name = knownHostsName(endpoint.host, endpoint.port, endpoint.hostKeyAlias);
    const policy = this.options.hostKeyPolicy ?? endpoint.hostKeyPolicy;
    const auth = planSshAuth(endpoint, this.options);
    const where = formatSshDestination({ host: endpoint.name, user: endpoint.user, port: endpoint.port });
    let refusal: Error | undefined;
    let toRecord: HostKey | undefined;
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      ...(sock ? { sock } : {}),
      readyTimeout: endpoint.connectTimeoutMs,
      keepaliveInterval: endpoint.keepaliveIntervalMs,
      keepaliveCountMax: endpoint.keepaliveCountMax,
      authHandler: auth.handler,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(knownHosts.keyTypes(name)) },
      hostVerifier: (blob: Buffer, verify: (ok: boolean) => void) => {
        const key = describeHostKey(blob);
        const verdict = knownHosts.check(name, key);
        if (verdict.kind === "known") return verify(true);
        if (verdict.kind === "unknown" && policy === "accept-new") {
          toRecord = key;
          return verify(true);
        }
        refusal = hostKeyRefusal(where, name, key, verdict, endpoint.knownHostsFiles);
        verify(false);
      },
    };
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error & { level?: string }) => {
        client.end();
        if (refusal) return reject(refusal);
        if (error.level === "client-authentication") {
          const tried = auth.attempts.length > 0 ? auth.attempts.map((a) => `\n  - ${a}`).join("") : "\n  - no agent and no key file found";
          return reject(new DaskqError("ssh", `${where}: authentication failed for user ${endpoint.user}. Tried:${tried}`));
        }
        reject(new DaskqError("ssh", `cannot connect to ${where}: ${error.message}`, { cause: error }));
      };
      client.once("ready", () => {
        client.off("error", onError);
        resolve();
      });
      client.once("error", onError);
      client.connect(config);
    });
    if (toRecord) {
      const file = endpoint.knownHostsFiles[0];
      if (file) {
        await recordHostKey(file, name, toRecord);
        this.logger.warn(`ssh: permanently added ${name} (${toRecord.type} ${toRecord.fingerprint}) to ${file}`);
      }
    }
    return client;
  }
}

/** A host key that known_hosts does not vouch for. Never retried. */
class HostKeyRefused extends DaskqError {
  constructor(message: string) {
    super("ssh", message);
  }
}

function hostKeyRefusal(
  where: string,
  name: string,
  key: HostKey,
  verdict: ReturnType<KnownHosts["check"]>,
  files: readonly string[],
): HostKeyRefused {
  const shown = `${key.type} ${key.fingerprint}`;
  switch (verdict.kind) {
    case "changed":
      return new HostKeyRefused(
        `HOST KEY CHANGED for ${where}: the server sent ${shown}, but ${verdict.file}:${verdict.line} holds another ${key.type} key for ${name}. ` +
          `Someone may be intercepting the connection, or the server was reinstalled. Refusing to connect; ` +
          `if the change is expected, remove the old key (ssh-keygen -R '${name}') and connect again.`,
      );
    case "revoked":
      return new HostKeyRefused(`the host key of ${where} (${shown}) is marked @revoked in ${verdict.file}:${verdict.line}; refusing to connect.`);
    default:
      return new HostKeyRefused(
        `unknown host key for ${where}: ${shown} is not in ${files.slice(0, 1).join("") || "any known_hosts file"}. Refusing to connect. ` +
          `Check the fingerprint with the site, then connect once with ssh, or let daskq record it (--ssh-accept-new-host-key, ` +
          `config ssh-accept-new-host-key: true, or StrictHostKeyChecking accept-new in ~/.ssh/config).`,
      );
  }
}

/** ssh2's host key algorithms, with those of the key types known_hosts holds for the host first. */
function preferredHostKeyAlgorithms(knownTypes: readonly string[]): NonNullable<NonNullable<ConnectConfig["algorithms"]>["serverHostKey"]> {
  const all = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  const algorithmsOf = (type: string) => (type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type]);
  const first = knownTypes.flatMap(algorithmsOf).filter((a) => all.includes(a));
  return [...new Set([...first, ...all])] as never;
}

/** Opens a direct-tcpip channel through `jump` to the next hop (or the final target). */
function forwardTo(jump: Client, to: SshEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut("127.0.0.1", 0, to.host, to.port, (error, stream) => {
      if (error) reject(new DaskqError("ssh", `ProxyJump cannot reach ${to.host}:${to.port}: ${error.message}`, { cause: error }));
      else resolve(stream);
    });
  });
}

function stripTag(message: string): string {
  return message.replace(/^\[daskq:[^\]]+\] /, "");
}
