import { existsSync, readFileSync } from "node:fs";
import { execa } from "execa";
import { eventually } from "@daskq/testing";
import { slurmIsUp } from "./slurm-available.js";

/** Where the testbed's slurmctld writes its pid (packages/testing/testbed/slurm.sh). */
const PID_FILE = "/run/slurmctld.pid";

function controllerPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, "utf8").trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Stops the testbed's slurmctld with SIGTERM (it saves its state: the jobs survive) and waits until
 * it is gone. slurmd and the running jobs go on. EVERY Slurm test fails meanwhile: only tests in
 * the `exclusive` project (`*.exclusive.test.ts`) may call this, and must call
 * `startSlurmController` in a `finally`.
 */
export async function stopSlurmController(): Promise<void> {
  const pid = controllerPid();
  if (pid === undefined) throw new Error("slurmctld is not running");
  process.kill(pid, "SIGTERM");
  if (!(await eventually(() => controllerPid() === undefined, 30_000))) throw new Error("slurmctld did not stop within 30 s");
}

/** Starts slurmctld again WITHOUT -c (it recovers the saved jobs) unless it runs; waits until it answers. */
export async function startSlurmController(): Promise<void> {
  if (controllerPid() === undefined) await execa("/usr/sbin/slurmctld", []);
  if (!(await eventually(slurmIsUp, 60_000, 500))) throw new Error("slurmctld did not answer within 60 s of its start");
}
