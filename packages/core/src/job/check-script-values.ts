import { DaskqError } from "../errors.js";
import type { JobSpec } from "./job-spec.js";

/** A UTF-16 surrogate without its pair: such a string has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses job-spec values that no shell script can carry verbatim: a NUL character (bash drops
 * it), text that is not valid Unicode (a lone surrogate cannot be written as UTF-8), and a shebang
 * that is not one line starting with `#!` (the first line would run as a command).
 *
 * @throws DaskqError naming the key.
 */
export function checkScriptValues(spec: JobSpec): void {
  if (!/^#![^\r\n\0]*$/.test(spec.shebang)) {
    throw new DaskqError("job", `shebang: expected one line starting with #!, e.g. '#!/usr/bin/env bash', got ${JSON.stringify(spec.shebang)}`);
  }
  const values: Array<[string, unknown]> = Object.entries(spec).filter(([key]) => key !== "backendOptions");
  for (const [key, value] of Object.entries(spec.backendOptions)) values.push([key, value]);
  for (const [key, value] of values) {
    const texts = typeof value === "string" ? [value] : Array.isArray(value) ? value : value !== null && typeof value === "object" ? [...Object.keys(value), ...Object.values(value)] : [];
    for (const text of texts) {
      if (typeof text !== "string") continue;
      if (text.includes("\0")) throw new DaskqError("job", `${key}: a NUL character cannot be passed through a job script: ${JSON.stringify(text)}`);
      if (LONE_SURROGATE.test(text)) throw new DaskqError("job", `${key}: not valid Unicode (a lone surrogate): ${JSON.stringify(text)}`);
    }
  }
}
