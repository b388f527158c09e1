import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSimpleArgs } from "../simple-args.js";

export const PYTHON_PATH_HELP = `Usage: daskq python-path

Prints the folder that holds the Python package daskq (SLURMCluster, PBSCluster, ... driving this
daskq), to put on PYTHONPATH:

  export PYTHONPATH="$(daskq python-path)\${PYTHONPATH:+:$PYTHONPATH}"`;

/** The folder holding the Python package `daskq`, shipped inside this npm package. */
export function pythonPackageFolder(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "python");
}

/** `daskq python-path`. */
export async function pythonPath(argv: string[]): Promise<number> {
  const { help } = parseSimpleArgs(argv, "python-path");
  process.stdout.write(help ? `${PYTHON_PATH_HELP}\n` : `${pythonPackageFolder()}\n`);
  return 0;
}
