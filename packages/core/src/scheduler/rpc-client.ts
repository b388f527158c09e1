import { ProtocolError, SchedulerRpcError, TimeoutError } from "../errors.js";
import { DaskComm, type ConnectOptions } from "./dask-comm.js";

/** Options for an RPC client. */
export interface RpcOptions extends ConnectOptions {
  /** Default per-call timeout in ms (connect time included). Default 30 000. */
  readonly callTimeoutMs?: number;
  /** Idle connections kept for reuse. Default 4. */
  readonly maxIdle?: number;
}

/**
 * Calls handlers on a Dask server: `{op, ...args, reply: true}` on a pooled connection, reply read
 * on the same one. A connection is reused after a clean reply and discarded after any failure or
 * timeout (a late reply would otherwise be read by the next caller).
 */
export class RpcClient {
  private readonly idle: DaskComm[] = [];
  private readonly busy = new Set<DaskComm>();
  private closed = false;

  constructor(
    /** The server's address, e.g. `tcp://127.0.0.1:8786`. */
    readonly address: string,
    private readonly options: RpcOptions = {},
  ) {}

  /** Number of open connections (idle + busy); exposed for tests of connection reuse. */
  get openConnections(): number {
    return this.idle.length + this.busy.size;
  }

  /**
   * Calls `op` and resolves its reply. An error reply (`status: "uncaught-error"`) rejects with
   * `SchedulerRpcError` carrying Python's `exception_text`.
   */
  async call<T = unknown>(op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    const limit = timeoutMs ?? this.options.callTimeoutMs ?? 30_000;
    let comm: DaskComm | undefined;
    const attempt = (async () => {
      comm = await this.acquire(limit);
      await comm.write({ ...args, op, reply: true });
      return comm.read(); // the deadline below covers it; the comm is closed if it passes
    })();
    let reply: unknown;
    try {
      reply = await withDeadline(attempt, limit, `RPC '${op}' to ${this.address}`);
    } catch (error) {
      // Drop the connection now (a late reply must not reach the next caller); if it is still
      // being opened, drop it as soon as the attempt settles.
      if (comm) this.discard(comm);
      void attempt.catch(() => undefined).then(() => comm && this.discard(comm));
      throw error;
    }
    this.release(comm as unknown as DaskComm);
    if (isErrorReply(reply)) {
      throw new SchedulerRpcError(op, String(reply.exception_text ?? "unknown error"), String(reply.traceback_text ?? ""));
    }
    return reply as T;
  }

  /**
   * Sends `op` and treats the connection closing as success (e.g. `terminate`, which never replies).
   */
  async callUntilClosed(op: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<void> {
    const comm = await this.acquire(timeoutMs);
    this.busy.delete(comm);
    try {
      await comm.write({ ...args, op, reply: true });
      const reply = await comm.read(timeoutMs);
      if (isErrorReply(reply)) throw new SchedulerRpcError(op, String(reply.exception_text ?? ""), String(reply.traceback_text ?? ""));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    } finally {
      comm.close();
    }
  }

  /** Closes every connection, politely (`{op: "close"}`) where idle. */
  close(): void {
    this.closed = true;
    for (const comm of this.idle.splice(0)) {
      comm.write({ op: "close", reply: false }).catch(() => {}).finally(() => comm.close());
    }
    for (const comm of this.busy) comm.close();
    this.busy.clear();
  }

  private async acquire(timeoutMs: number): Promise<DaskComm> {
    if (this.closed) throw new ProtocolError(`RPC client for ${this.address} is closed`);
    let comm = this.idle.pop();
    while (comm?.closed) comm = this.idle.pop();
    comm ??= await DaskComm.connect(this.address, { ...this.options, timeoutMs: Math.min(timeoutMs, this.options.timeoutMs ?? timeoutMs) });
    this.busy.add(comm);
    return comm;
  }

  private release(comm: DaskComm): void {
    this.busy.delete(comm);
    if (this.closed || comm.closed || this.idle.length >= (this.options.maxIdle ?? 4)) comm.close();
    else this.idle.push(comm);
  }

  private discard(comm: DaskComm): void {
    this.busy.delete(comm);
    comm.close();
  }
}

interface ErrorReply {
  status: "uncaught-error" | "error";
  exception_text?: unknown;
  traceback_text?: unknown;
}

/** True for a Dask error reply (`status: "uncaught-error"`, or `"error"` with `exception_text`). */
export function isErrorReply(reply: unknown): reply is ErrorReply {
  if (reply === null || typeof reply !== "object" || Array.isArray(reply)) return false;
  const status = (reply as Record<string, unknown>)["status"];
  return status === "uncaught-error" || (status === "error" && "exception_text" in reply);
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError("protocol", what, ms)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
