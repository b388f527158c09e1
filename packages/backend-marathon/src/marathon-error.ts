import { DaskqError } from "@daskq/core";
import type { MarathonErrorBody } from "./marathon-api.js";

/** `<request> failed: <status> <Marathon's message> (<details>). <hint>`. */
export function describeMarathonError(request: string, status: number, body: MarathonErrorBody, hint = ""): string {
  const details = (body.details ?? []).map((d) => `${d.path ?? ""}: ${(d.errors ?? []).join(", ")}`).join("; ");
  return `${request} failed: ${status} ${body.message ?? "(no message)"}${details ? ` (${details})` : ""}${hint ? `. ${hint}` : ""}`;
}

/**
 * Marathon answered a request with an error status; the message quotes Marathon's own. Refused
 * credentials (401/403) are core's `AuthenticationError` instead.
 */
export class MarathonApiError extends DaskqError {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly body: MarathonErrorBody,
    hint = "",
  ) {
    super("marathon", describeMarathonError(request, status, body, hint));
  }
}
