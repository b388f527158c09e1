import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Readable, Writable } from "node:stream";
import { createInterface } from "node:readline";
import { DaskqError, silentLogger, type Logger } from "@daskq/core";
import { helperEnvironment } from "./helper-environment.js";
import type { HelperFailure, HelperGreeting, HelperRequest, HelperResponse } from "./helper-protocol.js";

/** Distributes `Omit` over a union, so each request kind keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

/** A request of the DRMAA helper failed; `call` and `errno` are set when a DRMAA call failed. */
export class DrmaaError extends DaskqError {
  readonly call: string | undefined;
  readonly errno: number | undefined;

  constructor(message: string, failure?: HelperFailure) {
    super("drmaa", message);
    this.call = failure?.call;
    this.errno = failure?.errno;
  }
}

/** Options of `DrmaaHelper.start`. */
export interface DrmaaHelperOptions {
  /** Path of the DRMAA library. */
  readonly library: string;
  /** `drmaa_init` contact string; unset: the library's default. */
  readonly contact?: string;
  readonly logger?: Logger;
  /** The helper's environment before daskq adds what the library needs; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** A request unanswered after this long kills the helper (a DRMAA call that hangs); default 120 s. */
  readonly requestTimeoutMs?: number;
}

/**
 * The helper's entry point: next to this module once built; from the sources (tests), the built
 * copy in `dist`, since the helper is started with plain `node`.
 */
export function helperEntry(): string {
  const here = new URL(import.meta.url);
  const built = here.pathname.endsWith(".ts") ? new URL("../dist/drmaa-helper-main.js", here) : new URL("./drmaa-helper-main.js", here);
  return fileURLToPath(built);
}

const STDERR_KEPT = 4000;

/**
 * The DRMAA helper process, seen from daskq: a child `node` process that loads the DRMAA library
 * and holds the DRMAA session, started with the environment the library needs at process start
 * (see `helperEnvironment`). Every DRMAA call blocks in the helper, never on daskq's event loop.
 * Requests are answered in order; a helper that dies fails the requests it had.
 */
export class DrmaaHelper {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private stderr = "";
  private exited: string | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly library: string,
    private readonly logger: Logger,
    private readonly requestTimeoutMs: number,
  ) {
    child.on("error", (error) => this.logger.warn(`drmaa: the DRMAA helper process: ${error.message}`));
    child.stdin?.on("error", (error) => this.logger.debug(`drmaa: writing to the DRMAA helper: ${error.message}`));
    this.exitPromise = new Promise((resolve) => {
      child.once("close", (code, signal) => {
        this.exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
        const why = this.deathMessage();
        for (const { reject } of this.pending.values()) reject(new DrmaaError(why));
        this.pending.clear();
        resolve();
      });
    });
    const keep = (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-STDERR_KEPT);
      this.logger.debug(`drmaa helper: ${chunk.toString().trimEnd()}`);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const answers = createInterface({ input: child.stdio[3] as Readable });
    answers.on("line", (line) => this.onAnswer(line));
  }

  /**
   * Starts a helper, loads the library and opens the DRMAA session.
   *
   * @throws DrmaaError naming the library path when it cannot be loaded or `drmaa_init` fails, or
   *   when the helper is not built.
   */
  static async start(options: DrmaaHelperOptions): Promise<DrmaaHelper> {
    const entry = helperEntry();
    if (!existsSync(entry)) throw new DrmaaError(`the DRMAA helper ${entry} is missing: build @daskq/backend-drmaa first (npm run build)`);
    const args = [entry, options.library, ...(options.contact ? [options.contact] : [])];
    const child = spawn(process.execPath, args, {
      env: helperEnvironment(options.library, options.env ?? process.env),
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    const helper = new DrmaaHelper(child, options.library, options.logger ?? silentLogger, options.requestTimeoutMs ?? 120_000);
    try {
      await helper.waitFor<HelperGreeting>(0);
    } catch (error) {
      await helper.kill();
      throw error;
    }
    return helper;
  }

  /** Whether the helper process is still running. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  /** The helper's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Sends one request and resolves its result.
   *
   * @throws DrmaaError with the DRMAA message (`drmaa_run_bulk_jobs failed: ...`) and the library path.
   */
  request<T>(request: WithoutId<HelperRequest>): Promise<T> {
    if (!this.alive) return Promise.reject(new DrmaaError(this.deathMessage()));
    const id = this.nextId++;
    const answer = this.waitFor<T>(id);
    (this.child.stdin as Writable).write(`${JSON.stringify({ ...request, id })}\n`);
    return answer;
  }

  /** Ends the DRMAA session (`drmaa_exit`) and the helper; kills it if it does not end in `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return;
    const ended = this.request({ op: "exit" }).catch((error: Error) => this.logger.debug(`drmaa: ${error.message}`));
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await ended;
    (this.child.stdin as Writable).end();
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Kills the helper at once (its DRMAA session goes with it; jobs stay in the batch system). */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill("SIGKILL");
    await this.exitPromise;
  }

  private waitFor<T>(id: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stderr += `\nno answer to request ${id} within ${this.requestTimeoutMs} ms`;
        this.child.kill("SIGKILL");
      }, this.requestTimeoutMs);
      const done = () => clearTimeout(timer);
      this.pending.set(id, {
        resolve: (value) => {
          done();
          resolve(value as T);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  }

  private onAnswer(line: string): void {
    let response: HelperResponse;
    try {
      response = JSON.parse(line) as HelperResponse;
    } catch {
      this.logger.warn(`drmaa: unreadable answer from the helper: ${line.slice(0, 200)}`);
      return;
    }
    const waiter = this.pending.get(response.id);
    if (!waiter) return;
    this.pending.delete(response.id);
    if ("error" in response) waiter.reject(this.toError(response.error));
    else waiter.resolve(response.result);
  }

  private toError(failure: HelperFailure): DrmaaError {
    if (failure.load) {
      return new DrmaaError(
        `cannot load the DRMAA library ${this.library}: ${failure.message}. Set jobqueue.drmaa.library or DRMAA_LIBRARY_PATH to your libdrmaa`,
        failure,
      );
    }
    return new DrmaaError(`${failure.message} (library ${this.library})`, failure);
  }

  private deathMessage(): string {
    const said = this.stderr.trim();
    return `the DRMAA helper for ${this.library} ${this.exited ?? "is gone"}${said ? `: ${said.split("\n").slice(-5).join("\n")}` : ""}`;
  }
}
