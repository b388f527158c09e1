import { execaSync } from "execa";
import { PYTHON } from "./python.js";

/**
 * Whether a real service needed by a test is present. Under `CI=true` a missing service is a
 * failure (the error says how to start it), never a silent skip; elsewhere the caller may skip.
 */
export function requireService(name: string, present: boolean, howToStart: string): boolean {
  if (present) return true;
  if (process.env["CI"] === "true") {
    throw new Error(`[daskq:testing] ${name} is required under CI=true but is not available. ${howToStart}`);
  }
  return false;
}

/** True when the test Python can import `distributed` (Debian's python3-distributed). */
export function hasDaskPython(): boolean {
  try {
    return execaSync(PYTHON, ["-c", "import distributed"], { reject: false, timeout: 30_000 }).exitCode === 0;
  } catch {
    return false;
  }
}
