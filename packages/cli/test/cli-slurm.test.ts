/** The daskq command on the REAL Slurm of packages/testing/testbed/slurm.sh. */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { LocalRunner } from "@daskq/core";
import { eventually, requireService } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root, startDaskq } from "./daskq-process.js";

// No user config; cluster state files go to a fresh directory.
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: mkdtempSync(join(tmpdir(), "daskq-cli-home-")) };
const slurmUp = async () => {
  try {
    return (await new LocalRunner().run("scontrol", ["ping"])).stdout.includes("is UP");
  } catch {
    return false;
  }
};
const enabled = requireService("Slurm", await slurmUp(), "Start it with: bash packages/testing/testbed/slurm.sh");

describe.skipIf(!enabled)("daskq on a real Slurm", () => {
  it("daskq job-script --backend slurm shows the header a Slurm user recognizes", async () => {
    const result = await execa("node", [bin, "job-script", "--backend", "slurm", "--cores", "8", "--memory", "16GB", "--walltime", "01:00:00", "--queue", "q", "--account", "p"], { cwd: root, env, extendEnv: false });
    expect(result.stdout.split("\n").slice(0, 11).join("\n")).toBe(
      [
        "#!/usr/bin/env bash",
        "",
        "#SBATCH -J dask-worker",
        "#SBATCH -p q",
        "#SBATCH -A p",
        "#SBATCH -n 1",
        "#SBATCH -N 1",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=15G",
        "#SBATCH -t 01:00:00",
        "",
      ].join("\n"),
    );
    expect(result.stdout).toContain("-m distributed.cli.dask_worker tcp://SCHEDULER-ADDRESS:8786 --name dask-worker-0 --nthreads 2 --memory-limit 4000000000 --nworkers 4");
  });

  it("daskq up --backend slurm --jobs 4 brings 4 workers as Slurm jobs and Ctrl-C cancels them", { timeout: 240_000 }, async () => {
    const up = startDaskq(["up", "--backend", "slurm", "--jobs", "4", "--cores", "1", "--memory", "500MB", "--queue", "debug", "--poll-interval", "0.5", "--log-directory", `${tmpdir()}/daskq-cli-slurm`], env);
    const { child } = up;
    await up.waitFor("4/4 workers", 150_000);
    expect(up.output()).toContain("4/4 workers, 0 jobs queued");
    // This run's jobs: named after its cluster id (its state file's name), not other runs' on the shared Slurm.
    const clusterId = readdirSync(join(env.DASKQ_HOME, "state")).find((f) => f.endsWith(".json"))?.replace(/\.json$/, "") as string;
    const ours = (await execa("squeue", ["-h", "-o", "%i %j %T"])).stdout.split("\n").filter((l) => l.includes(`dask-worker-${clusterId} `) && l.includes("RUNNING"));
    expect(ours).toHaveLength(4);
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(0);
    const ids = ours.map((l) => l.split(" ")[0]);
    // daskq logs reads a job's output through the backend, although the job ran under the cluster's tagged name.
    const logs = await execa("node", [bin, "logs", "--backend", "slurm", "--log-directory", `${tmpdir()}/daskq-cli-slurm`, "--lines", "5", ids[0] as string], { cwd: root, env, extendEnv: false, reject: false });
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/distributed\.(worker|nanny)/);
    expect(logs.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(5);
    const unknown = await execa("node", [bin, "logs", "--backend", "slurm", "999999999"], { cwd: root, env, extendEnv: false, reject: false });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/\[daskq:cli\] no output known for job 999999999/);
    expect(
      await eventually(async () => {
        const left = (await execa("squeue", ["-h", "-o", "%i"])).stdout.split("\n").map((s) => s.trim());
        return ids.every((id) => !left.includes(id as string));
      }, 30_000),
    ).toBe(true);
  });

  it("daskq up --jobs 200 --json prints at most one progress line per poll, not one per job event", async () => {
    // Partition `down` keeps the jobs queued: the only changes are 200 submissions and their first status.
    const up = startDaskq(["up", "--backend", "slurm", "--jobs", "200", "--cores", "1", "--memory", "100MB", "--queue", "down", "--poll-interval", "0.5", "--json", "--no-status"], env);
    const { child } = up;
    await up.waitFor('"queued":200', 60_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a few more polls, nothing changes
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(0);
    const progress = up.output().split("\n").filter((l) => l.startsWith('{"progress"'));
    expect(progress.filter((l) => l.includes('"queued":200'))).toHaveLength(1);
    expect(progress.length).toBeLessThanOrEqual(4); // 0 queued, 200 queued, maybe 0 again while closing; before: 400+ lines
  });
});
