/**
 * The seed's command line on the REAL Grid Engine through DRMAA (testbed sge.sh + drmaa.sh):
 * `daskq up --backend drmaa --workers 10` does what `dask-drmaa 10` does. Under CI=true a missing
 * SGE or libdrmaa fails this file.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { LocalRunner } from "@daskq/core";
import { eventually, hasDaskPython, requireService } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root, startDaskq } from "./daskq-process.js";

// No user config; cluster state files go to a fresh directory.
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: mkdtempSync(join(tmpdir(), "daskq-cli-home-")) };
const LIBDRMAA = "/usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0";
const sgeUp = async () => {
  try {
    return existsSync(LIBDRMAA) && (await new LocalRunner().run("qstat", ["-xml"], { timeoutMs: 10_000 })).exitCode === 0;
  } catch {
    return false;
  }
};
const enabled =
  requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.") &&
  requireService("Grid Engine DRMAA (libdrmaa)", await sgeUp(), "Start it with: bash packages/testing/testbed/sge.sh && bash packages/testing/testbed/drmaa.sh");

/** Grid Engine's job numbers of the jobs whose name starts with `prefix`, with their task count (`-g d`: one entry per task). */
async function jobsNamed(prefix: string): Promise<Map<string, number>> {
  const { stdout } = await new LocalRunner().run("qstat", ["-g", "d", "-xml"]);
  const jobs = new Map<string, number>();
  for (const [, number, name] of stdout.matchAll(/<JB_job_number>(\d+)<\/JB_job_number>\s*<JAT_prio>[^<]*<\/JAT_prio>\s*<JB_name>([^<]*)<\/JB_name>/g)) {
    if (name?.startsWith(prefix)) jobs.set(number as string, (jobs.get(number as string) ?? 0) + 1);
  }
  return jobs;
}

describe.skipIf(!enabled)("daskq on Grid Engine through DRMAA", () => {
  it("daskq up --backend drmaa --workers 10 submits 10 jobs as ONE bulk job, and Ctrl-C terminates them", async () => {
    // Held (-h, passed verbatim): this checks the command line and the bulk job, not 10 Python starts.
    const name = "daskq-cli-drmaa-up";
    const up = startDaskq(["up", "--backend", "drmaa", "--workers", "10", "--set", `name=${name}`, "--set", "native-specification=-h", "--poll-interval", "0.5", "--no-status"], env);
    const { child } = up;
    await up.waitFor("0/10 workers, 10 jobs queued", 90_000);
    expect(up.output()).toContain("0/10 workers, 10 jobs queued");
    const jobs = await jobsNamed(name);
    expect([...jobs.values()]).toEqual([10]);
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await eventually(async () => (await jobsNamed(name)).size === 0, 30_000, 500)).toBe(true);
  });

  it("daskq run --backend drmaa computes on real workers (TLS, the default) and leaves nothing in the queue", async () => {
    const name = "daskq-cli-drmaa-run";
    const result = await execa(
      "node",
      [bin, "run", "--backend", "drmaa", "--workers", "2", "--memory", "1GiB", "--queue", "all.q", "--set", `name=${name}`, "--poll-interval", "0.5", "--", "/usr/bin/python3", "examples/array_sum.py"],
      { cwd: root, env, extendEnv: false, reject: false },
    );
    expect(result.stdout, result.stderr).toContain("workers: 2");
    expect(result.stdout).toContain("sum of ones: 4000000");
    expect(result.exitCode).toBe(0);
    expect(await eventually(async () => (await jobsNamed(name)).size === 0, 30_000, 500)).toBe(true);
  });
});
