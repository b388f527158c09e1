/**
 * `daskq run --adapt` adapts (it grows under load), and `daskq up` exits non-zero, with the
 * reason and the job's log tail, once jobs keep failing to start and submission stopped.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { hasDaskPython, PYTHON, requireService } from "@daskq/testing";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = `${root}packages/cli/dist/bin.js`;
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
