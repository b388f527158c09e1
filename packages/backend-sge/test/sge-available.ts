import { LocalRunner } from "@daskq/core";

/** How to bring up the test Grid Engine, for "SGE is required" messages. */
export const START_SGE = "Start it with: bash packages/testing/testbed/sge.sh";

/** Whether the testbed's Grid Engine answers: qstat -xml runs, and all.q exists. */
export async function sgeIsUp(): Promise<boolean> {
  try {
    const runner = new LocalRunner();
    const qstat = await runner.run("qstat", ["-xml"], { timeoutMs: 10_000 });
    if (qstat.exitCode !== 0 || !qstat.stdout.includes("<job_info")) return false;
    const queue = await runner.run("qconf", ["-sq", "all.q"], { timeoutMs: 10_000 });
    return queue.exitCode === 0;
  } catch {
    return false;
  }
}
