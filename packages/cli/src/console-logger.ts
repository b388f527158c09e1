import type { Logger } from "@daskq/core";

/** Logs to stderr, so stdout stays clean for addresses and --json output. */
export function consoleLogger(verbose: boolean): Logger {
  const write = (level: string) => (message: string) => process.stderr.write(`daskq ${level}: ${message}\n`);
  return {
    debug: verbose ? write("debug") : () => {},
    info: verbose ? write("info") : () => {},
    warn: write("warning"),
    error: write("error"),
  };
}
