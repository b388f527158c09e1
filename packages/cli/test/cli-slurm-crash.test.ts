/**
 * kill -9 of `daskq up` on the REAL Slurm testbed, with running and queued jobs: the watchdog
 * cancels them all (no queued job starts later), the queue empties, nothing is left behind.
 * `node bench/kill-9.mjs` runs the same trial 20 times with 8 running + 12 queued jobs.
 */
import { describe, expect, it } from "vitest";
import { LocalRunner } from "@daskq/core";
import { requireService, slurmKillTrial } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root } from "./daskq-process.js";

const slurmUp = async () => {
  try {
    return (await new LocalRunner().run("scontrol", ["ping"])).stdout.includes("is UP");
  } catch {
    return false;
  }
};
const enabled = requireService("Slurm", await slurmUp(), "Start it with: bash packages/testing/testbed/slurm.sh");

describe.skipIf(!enabled)("kill -9 of daskq up on a real Slurm", () => {
  it("no queued job starts after the kill, the queue empties, the cluster is cleaned", async () => {
    const result = await slurmKillTrial({ bin, running: 4, queued: 6, cwd: root });
    expect(result.runningAtKill.length).toBe(4);
    expect(result.queuedAtKill.length).toBe(6);
    expect(result.startedAfterKill).toEqual([]);
    expect(result.queueEmptyMs).toBeDefined();
    expect(result.condition).toBe("dead-cleaned");
    expect(result.tempDirsLeft).toEqual([]);
  }, 240_000);
});
