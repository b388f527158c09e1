import { join } from "node:path";
import { LocalRunner } from "@daskq/core";

/** The testbed's slurmrestd (packages/testing/testbed/slurmrest.sh): JWT over TCP, and the local socket. */
export const SLURMREST_URL = process.env["DASKQ_SLURMREST_URL"] ?? `http://127.0.0.1:${process.env["SLURMREST_PORT"] ?? "6820"}`;
export const SLURMREST_SOCKET = join(process.env["DASKQ_TESTBED_STATE"] ?? "/tmp/daskq-testbed", "slurmrest", "slurmrestd.socket");

/** How to start it, for "slurmrestd is required" messages. */
export const START_SLURMREST = "Start it with: bash packages/testing/testbed/slurm.sh && bash packages/testing/testbed/slurmrest.sh";

/** Whether slurmrestd answers on its TCP port (401 without a token) and slurmctld makes tokens. */
export async function slurmrestIsUp(): Promise<boolean> {
  try {
    const answer = await fetch(`${SLURMREST_URL}/openapi`, { signal: AbortSignal.timeout(30_000) });
    return (answer.status === 401 || answer.status === 200) && (await freshToken(60)) !== undefined;
  } catch {
    return false;
  }
}

/** A token for the user running the tests from `scontrol token` (slurmctld with auth/jwt), or undefined. */
export async function freshToken(lifespanSeconds: number): Promise<string | undefined> {
  const result = await new LocalRunner().run("scontrol", ["token", `lifespan=${lifespanSeconds}`], { timeoutMs: 30_000 });
  const m = /SLURM_JWT=(\S+)/.exec(result.stdout);
  return result.exitCode === 0 && m ? m[1] : undefined;
}
