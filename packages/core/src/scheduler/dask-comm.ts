import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { ProtocolError, TimeoutError } from "../errors.js";
import { parseAddress } from "./address.js";
import { FrameDecoder, encodeFrames } from "./frames.js";
import { decodeMessage, encodeMessage } from "./msgpack-codec.js";

/** TLS material for `tls://` addresses, as file paths (like dask's `--tls-ca-file` etc.). */
export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Options for opening a comm. */
export interface ConnectOptions {
  /** Give up connecting (TCP + handshake) after this many ms. Default 10 000. */
  readonly timeoutMs?: number;
  readonly tls?: TlsFiles;
}

/**
 * What we announce in the handshake. `compression: null` means nothing is compressed towards us;
 * `pickle-protocol` must be present or Python drops the connection.
 */
const HANDSHAKE = { compression: null, python: [3, 11, 0], "pickle-protocol": 5 };

type Waiter = { resolve: (m: unknown) => void; reject: (e: Error) => void };

/**
 * One connection to a Dask peer: framing, msgpack and the handshake. Messages are read in order;
 * `read()` waits for the next one.
 */
export class DaskComm {
  private readonly decoder = new FrameDecoder();
  private readonly inbox: unknown[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;
  private readonly closeListeners: Array<(error: Error) => void> = [];

  private constructor(
    private readonly socket: net.Socket,
    /** The address this comm is connected to. */
    readonly address: string,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.fail(new ProtocolError(`connection to ${address} failed: ${error.message}`, { cause: error })));
    socket.on("close", () => this.fail(new ProtocolError(`connection to ${address} closed by peer`)));
  }

  /** Connects, exchanges handshakes, and resolves a ready comm. */
  static async connect(address: string, options: ConnectOptions = {}): Promise<DaskComm> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const target = parseAddress(address);
    const socket =
      target.protocol === "tls"
        ? tls.connect({
            host: target.host,
            port: target.port,
            ca: options.tls?.ca ? readFileSync(options.tls.ca) : undefined,
            cert: options.tls?.cert ? readFileSync(options.tls.cert) : undefined,
            key: options.tls?.key ? readFileSync(options.tls.key) : undefined,
            // Dask's TLS certificates are usually self-signed per cluster without host names.
            checkServerIdentity: () => undefined,
          })
        : net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const comm = new DaskComm(socket, address);
    const timer = setTimeout(() => comm.fail(new TimeoutError("protocol", `connecting to ${address}`, timeoutMs)), timeoutMs);
    try {
      await comm.connected(target.protocol === "tls" ? "secureConnect" : "connect");
      await comm.write(HANDSHAKE);
      const peer = await comm.read();
      if (peer === null || typeof peer !== "object" || !("compression" in peer)) {
        throw new ProtocolError(`${address} did not answer with a Dask handshake`);
      }
      return comm;
    } catch (error) {
      comm.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once the socket is connected; rejects with the connection's failure. */
  private connected(event: "connect" | "secureConnect"): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once(event, () => resolve());
      this.onClose(reject);
    });
  }

  /** True once the connection has ended for any reason. */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Sends one message. */
  write(message: unknown): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const bytes = encodeFrames(encodeMessage(message));
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (error) => (error ? reject(new ProtocolError(`write to ${this.address} failed: ${error.message}`)) : resolve()));
    });
  }

  /** The next message; rejects if the connection ends first or `timeoutMs` passes. */
  read(timeoutMs?: number): Promise<unknown> {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift());
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      this.waiters.push(waiter);
      if (timeoutMs === undefined) return;
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new TimeoutError("protocol", `waiting for a message from ${this.address}`, timeoutMs));
      }, timeoutMs);
      waiter.resolve = (m) => (clearTimeout(timer), resolve(m));
      waiter.reject = (e) => (clearTimeout(timer), reject(e));
    });
  }

  /** Called once when the connection ends (by either side). */
  onClose(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.closeListeners.push(listener);
  }

  /** Closes the connection; pending reads reject. */
  close(): void {
    this.fail(new ProtocolError(`connection to ${this.address} closed`));
  }

  private onData(chunk: Buffer): void {
    let messages: Buffer[][];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    for (const frames of messages) {
      let message: unknown;
      try {
        message = decodeMessage(frames);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(message);
      else this.inbox.push(message);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
