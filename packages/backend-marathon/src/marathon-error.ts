import { DaskqError } from "@daskq/core";
import type { MarathonErrorBody } from "./marathon-api.js";

/** Marathon answered a request with an error status; the message quotes Marathon's own. */
export class MarathonApiError extends DaskqError {
  constructor(
    readonly request: string,
    readonly status: number,
    readonly body: MarathonErrorBody,
    hint = "",
  ) {
    const details = (body.details ?? []).map((d) => `${d.path ?? ""}: ${(d.errors ?? []).join(", ")}`).join("; ");
    super("marathon", `${request} failed: ${status} ${body.message ?? "(no message)"}${details ? ` (${details})` : ""}${hint ? `. ${hint}` : ""}`);
  }
}
