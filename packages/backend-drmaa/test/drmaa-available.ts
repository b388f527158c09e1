import { existsSync } from "node:fs";
import { LocalRunner } from "@daskq/core";
import { DEBIAN_SGE_LIBDRMAA } from "../src/library-path.js";

/** The testbed's libdrmaa: Grid Engine's, from Debian's gridengine-drmaa1.0. */
export const LIBDRMAA = DEBIAN_SGE_LIBDRMAA;

/** How to bring up SGE with its DRMAA library, for "DRMAA is required" messages. */
export const START_DRMAA = "Start it with: bash packages/testing/testbed/sge.sh && bash packages/testing/testbed/drmaa.sh";

/** Whether the testbed's Grid Engine answers and its libdrmaa is installed. */
export async function drmaaIsUp(): Promise<boolean> {
  if (!existsSync(LIBDRMAA)) return false;
  try {
    const qstat = await new LocalRunner().run("qstat", ["-xml"], { timeoutMs: 10_000 });
    return qstat.exitCode === 0 && qstat.stdout.includes("<job_info");
  } catch {
    return false;
  }
}
