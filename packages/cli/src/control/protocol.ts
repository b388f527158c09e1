import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Version of the JSON-lines protocol of `daskq control --stdio` (see packages/cli/python/README.md).
 * Raised when a message changes in a way an older Python package would misread.
 */
export const CONTROL_PROTOCOL_VERSION = 1;

/** One command from the controlling process: `{"id": 1, "op": "scale", ...}`. */
export interface ControlCommand {
  /** Echoed in the reply, so the controller can match replies to commands. */
  readonly id: number | string;
  readonly op: string;
  readonly [field: string]: unknown;
}

/** The first line daskq writes: who is talking, and in which protocol version. */
export interface HelloMessage {
  readonly event: "hello";
  readonly protocol: number;
  readonly daskq: string;
}

/** The answer to one command. */
export type ControlReply =
  | { readonly id: number | string; readonly ok: true; readonly result: unknown }
  | { readonly id: number | string; readonly ok: false; readonly error: ControlError };

/**
 * A failed command. `type` tells the controller which error to raise: `config` (a bad value: the
 * message names the source, the key and what was expected), `usage` (a malformed command, e.g. an
 * unknown op), `daskq` (anything else daskq says, e.g. a batch command failed), `internal` (a bug).
 */
export interface ControlError {
  readonly type: "config" | "usage" | "daskq" | "internal";
  readonly message: string;
  /** For `config`: the dotted key path, e.g. `jobqueue.slurm.memory`. */
  readonly keyPath?: string;
}

/** Something that happened to the cluster, written whenever it happens: `{"event": "worker-joined", ...}`. */
export interface ControlEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** The version of this daskq (the @daskq/cli package's, which the Python package shares). */
export function daskqVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return (JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8")) as { version: string }).version;
}
