import { LocalRunner } from "@daskq/core";

/** How to bring up the test Slurm, for "Slurm is required" messages. */
export const START_SLURM = "Start it with: bash packages/testing/testbed/slurm.sh";

/** Whether the testbed's Slurm controller answers `scontrol ping`. */
export async function slurmIsUp(): Promise<boolean> {
  try {
    const ping = await new LocalRunner().run("scontrol", ["ping"], { timeoutMs: 10_000 });
    return ping.exitCode === 0 && /is UP/.test(ping.stdout);
  } catch {
    return false;
  }
}
