import { randomBytes } from "node:crypto";

/** A new unique cluster id, e.g. `daskq-3f9a0c1e`: names the state file, tags jobs. */
export function newClusterId(): string {
  return `daskq-${randomBytes(4).toString("hex")}`;
}
