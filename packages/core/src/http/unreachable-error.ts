import { DaskqError } from "../errors.js";

/**
 * An HTTP request got no answer: the connection was refused or reset, TLS failed, or the server
 * took longer than the timeout. The request may or may not have reached the server.
 */
export class UnreachableError extends DaskqError {
  /** The system error code behind it (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, ...), when there is one. */
  readonly code: string | undefined;

  /**
   * @param target what was not reached, e.g. `UNICORE at https://gw:8080/SITE/rest/core`.
   * @param failure what `fetch` threw.
   */
  constructor(component: string, target: string, timeoutMs: number, failure: unknown) {
    const error = failure as { name?: string; message?: string; cause?: { message?: string; code?: unknown } } | undefined;
    const why = error?.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (error?.cause?.message ?? codeOf(error?.cause) ?? error?.message ?? String(failure));
    super(component, `cannot reach ${target}: ${why}`, { cause: failure });
    this.code = codeOf(error?.cause);
  }
}

function codeOf(cause: { code?: unknown } | undefined): string | undefined {
  return typeof cause?.code === "string" ? cause.code : undefined;
}
