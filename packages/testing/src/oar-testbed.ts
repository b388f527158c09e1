import { readFileSync } from "node:fs";
import { chown, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, execaSync } from "execa";

/**
 * The real OAR of the testbed (packages/testing/testbed/oar.sh): OAR 2.5.9 from Debian on
 * PostgreSQL, one node with 8 cores, and an ordinary user to submit as (OAR refuses jobs from root).
 */
export const OAR_TESTBED = {
  /** The user the tests submit as (`runuser -u <user> -- oarsub ...`). */
  user: process.env["DASKQ_OAR_USER"] ?? "daskq-oar",
  /** A disabled queue: jobs sent there (`oarsub -q down`) stay Waiting. */
  waitingQueue: "down",
  /** Almighty's pidfile, written by Debian's /usr/sbin/oar-server. */
  serverPidFile: "/var/run/oar-server.pid",
  howToStart: "Run packages/testing/testbed/oar.sh (as root).",
} as const;

/** What an OAR command printed. */
export interface OarCommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Whether Almighty runs, the node is Alive, and the test user can ask oarstat (as root, with runuser). */
export function oarTestbedAvailable(): boolean {
  try {
    const pid = Number(readFileSync(OAR_TESTBED.serverPidFile, "utf8").trim());
    // Alive and not a zombie (`kill -0` succeeds on zombies, which PID 1 reaps late here).
    const stat = execaSync("ps", ["-o", "stat=", "-p", String(pid)], { reject: false }).stdout.trim();
    if (stat === "" || stat.startsWith("Z")) return false;
    // An Alive resource (OAR marks it Suspected when it cannot reach the node through the sshd on port 6667).
    if (!/^ +\d+ : Alive$/m.test(execaSync("oarnodes", ["-s"], { reject: false, timeout: 30_000 }).stdout)) return false;
    return execaSync("runuser", ["-u", OAR_TESTBED.user, "--", "oarstat", "-J"], { reject: false, timeout: 30_000 }).exitCode === 0;
  } catch {
    return false;
  }
}

/**
 * Runs one OAR command line (e.g. `oarsub -l /core=1 'sleep 30'`) as the test user, through bash
 * in `cwd`, the way a user types it. The command line comes from the test, never from a config.
 */
export async function runOarCommand(commandLine: string, cwd: string): Promise<OarCommandResult> {
  const result = await execa("runuser", ["-u", OAR_TESTBED.user, "--", "bash", "-c", commandLine], { cwd, reject: false, timeout: 60_000 });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
}

/** A fresh directory under the system temp dir, owned by the test user (jobs write their output there). */
export async function makeOarJobDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "daskq-oar-"));
  const uid = Number(execaSync("id", ["-u", OAR_TESTBED.user]).stdout);
  const gid = Number(execaSync("id", ["-g", OAR_TESTBED.user]).stdout);
  await chown(dir, uid, gid);
  return dir;
}
