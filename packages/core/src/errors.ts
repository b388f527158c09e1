/**
 * Typed errors. Every message starts with `[daskq:<component>]` so that a user can tell at a glance
 * which part of daskq (or which backend) is talking, and says what to do about it.
 */

/** Base class of every error daskq throws on purpose. */
export class DaskqError extends Error {
  /** The part of daskq that failed, e.g. `config`, `scheduler`, `slurm`. */
  readonly component: string;

  constructor(component: string, message: string, options?: { cause?: unknown }) {
    super(`[daskq:${component}] ${message}`, options);
    this.name = new.target.name;
    this.component = component;
  }
}

/**
 * The batch system (or cluster manager) refused the backend's credentials: HTTP 401/403, a token or
 * password it does not accept. Retrying cannot help until the user fixes them, so daskq does not
 * retry (a cleanup stops at once and records why). Backends throw it for such refusals.
 */
export class AuthenticationError extends DaskqError {}

/**
 * Whether `error` is an `AuthenticationError`. Besides `instanceof` it accepts the class name: a
 * backend package loaded from the user's directory (the watchdog, `daskq cleanup`) may bring its own
 * copy of @daskq/core, whose classes are not this copy's.
 */
export function isAuthenticationError(error: unknown): boolean {
  return error instanceof AuthenticationError || (error instanceof Error && error.name === AuthenticationError.name);
}

/** Invalid configuration: names the file (or env var / option), the key path and what was expected. */
export class ConfigError extends DaskqError {
  /** Where the bad value came from: a file path, `env DASK_...`, `option` or `default`. */
  readonly source: string | undefined;
  /** The dotted key path, e.g. `jobqueue.slurm.memory`. */
  readonly keyPath: string | undefined;

  constructor(message: string, details: { source?: string; keyPath?: string } = {}, options?: { cause?: unknown }) {
    const where = [details.source, details.keyPath].filter(Boolean).join(": ");
    super("config", where ? `${where}: ${message}` : message, options);
    this.source = details.source;
    this.keyPath = details.keyPath;
  }
}

/** The peer broke the Dask wire protocol, or the connection dropped mid-conversation. */
export class ProtocolError extends DaskqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("protocol", message, options);
  }
}

/** An operation did not finish in time. */
export class TimeoutError extends DaskqError {
  constructor(component: string, what: string, timeoutMs: number) {
    super(component, `${what} timed out after ${timeoutMs} ms`);
  }
}

/** The Dask scheduler answered an RPC with an error; `exceptionText` is Python's own message. */
export class SchedulerRpcError extends DaskqError {
  readonly op: string;
  readonly exceptionText: string;
  readonly tracebackText: string;

  constructor(op: string, exceptionText: string, tracebackText: string) {
    super("scheduler", `RPC '${op}' failed on the scheduler: ${exceptionText}`);
    this.op = op;
    this.exceptionText = exceptionText;
    this.tracebackText = tracebackText;
  }
}

/** A command run by a backend (sbatch, squeue, ...) failed. */
export class CommandError extends DaskqError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;

  constructor(component: string, command: string, exitCode: number | undefined, stderr: string, hint = "") {
    const detail = stderr.trim() || "(no output)";
    super(component, `${command} failed${exitCode === undefined ? "" : ` (exit ${exitCode})`}: ${detail}${hint ? `. ${hint}` : ""}`);
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}
