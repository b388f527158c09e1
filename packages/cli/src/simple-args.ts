import { parseArgs } from "node:util";
import { DaskqError } from "@daskq/core";

/** Parses the options of the commands that build no cluster: --json, -v, -h (and positionals if allowed). */
export function parseSimpleArgs(argv: string[], command: string, allowPositionals = false) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: "boolean" }, verbose: { type: "boolean", short: "v" }, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
    return { json: values.json ?? false, verbose: values.verbose ?? false, help: values.help ?? false, positionals: positionals as string[] };
  } catch (error) {
    throw new DaskqError("cli", `${(error as Error).message}. See daskq ${command} --help.`);
  }
}
