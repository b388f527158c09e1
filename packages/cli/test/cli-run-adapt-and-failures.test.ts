/**
 * `daskq run --adapt` adapts (it grows under load); `daskq up` exits non-zero, with the reason
 * and the job's log tail, once jobs keep failing to start and submission stopped, and when its
 * scheduler dies (after cancelling the jobs).
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { eventually, findProcesses, findProcessesInSessions, hasDaskPython, PYTHON, requireService } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root, startDaskq } from "./daskq-process.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

/** 60 one-second tasks at once; prints the most workers seen while they run. */
const BURST = `
import time
from distributed import Client
client = Client()
futures = client.map(lambda i: time.sleep(1) or i, range(60), pure=False)
most = 0
while not all(f.done() for f in futures):
    most = max(most, len(client.scheduler_info()["workers"]))
    time.sleep(0.2)
print("sum", sum(client.gather(futures)), "most workers", most)
`;

describe.runIf(available)("daskq run --adapt and daskq up's start-failure exit", () => {
  it("daskq run --adapt --minimum 1 --maximum 4 grows past 1 worker under a burst of 60 one-second tasks", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-run-adapt-"));
    const script = join(dir, "burst.py");
    await writeFile(script, BURST);
    const result = await execa("node", [bin, "run", "--backend", "local", "--adapt", "--minimum", "1", "--maximum", "4", "--cores", "1", "--memory", "1GiB", "--", PYTHON, script], {
      cwd: root,
      env: { PATH: process.env["PATH"] ?? "", DASKQ_HOME: dir },
      extendEnv: false,
      reject: false,
      timeout: 180_000,
    });
    expect(result.exitCode).toBe(0);
    const most = Number(/most workers (\d+)/.exec(result.stdout)?.[1]);
    expect(result.stdout).toContain("sum 1770");
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  }, 200_000);

  it("daskq up exits 1 with the reason and the job's output once 3 jobs in a row failed to start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-up-fail-"));
    const result = await execa("node", [bin, "up", "--backend", "local", "--jobs", "1", "--memory", "1GiB", "--python", "/nonexistent/bin/python3"], {
      cwd: root,
      env: { PATH: process.env["PATH"] ?? "", DASKQ_HOME: dir },
      extendEnv: false,
      reject: false,
      timeout: 120_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("3 jobs in a row ended before their worker joined the scheduler; not submitting more");
    expect(result.stderr).toMatch(/nonexistent\/bin\/python3.*(No such file|not found)/);
  }, 150_000);
});

describe.runIf(available)("daskq up when its scheduler dies", () => {
  it("cancels the jobs, reports the error and exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-up-scheduler-dies-"));
    const up = startDaskq(["up", "--backend", "local", "--jobs", "1", "--memory", "1GiB", "--json"], { PATH: process.env["PATH"] ?? "", DASKQ_HOME: dir });
    const { child } = up;
    await up.waitFor(/"workers":1/, 90_000);
    // This cluster's scheduler: the process using the scheduler directory its state file records.
    const { clusterId } = JSON.parse(up.output().split("\n")[0] as string) as { clusterId: string };
    const record = JSON.parse(await readFile(join(dir, "state", `${clusterId}.json`), "utf8")) as { localTempDirs: string[]; jobs: Array<{ id: string }> };
    const sessions = record.jobs.map((j) => Number(j.id));
    const schedulerDir = record.localTempDirs.find((d) => d.includes("daskq-scheduler-")) as string;
    const [scheduler] = await findProcesses(schedulerDir);
    expect((await findProcessesInSessions(sessions)).length).toBeGreaterThan(0);
    const pid = scheduler?.pid as number;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    const result = await child;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the scheduler exited unexpectedly");
    expect(await eventually(async () => (await findProcessesInSessions(sessions)).length === 0, 30_000)).toBe(true);
  }, 150_000);
});
