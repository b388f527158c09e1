/**
 * JobQueueCluster on the REAL Grid Engine of packages/testing/testbed/sge.sh: what the cluster costs
 * in qsub/qstat/qdel calls. Jobs are submitted on hold (`-h` among the extra directives) so they stay
 * queued: the point is the bookkeeping, not the workers (the conformance suite runs real workers).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobQueueCluster, LocalRunner, silentLogger } from "@daskq/core";
import { AnswerLosingRunner, CountingRunner, PYTHON, eventually, requireService } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sgeBackend } from "../src/index.js";
import { parseQstatXml } from "../src/sge-status.js";
import { inTaskRanges, parseJobId } from "../src/sge-ids.js";
import { START_SGE, sgeIsUp } from "./sge-available.js";

const enabled = requireService("Grid Engine (SGE)", await sgeIsUp(), START_SGE);
const env = { PATH: process.env["PATH"] ?? "" };

/** Which of `ids` Grid Engine still lists (read with qstat directly, not through the backend). */
async function listedInSge(ids: readonly string[]): Promise<string[]> {
  const entries = parseQstatXml((await new LocalRunner().run("qstat", ["-xml"])).stdout);
  return ids.filter((id) => {
    const parsed = parseJobId(id);
    if (!parsed) return false;
    return entries.some((e) =>
      e.jobId === parsed.jobId && (parsed.kind === "job" ? e.tasks === undefined : e.tasks !== undefined && inTaskRanges(e.tasks, parsed.taskId)),
    );
  });
}

describe.skipIf(!enabled)("JobQueueCluster on a real Grid Engine", () => {
  let logDir = "";
  const job = () => ({
    cores: 1,
    memory: "100MB",
    queue: "all.q",
    walltime: "00:10:00",
    python: PYTHON,
    "log-directory": logDir,
    "job-extra-directives": ["-h"],
  });
  const create = (runner: CountingRunner, extra: Record<string, unknown> = {}) =>
    JobQueueCluster.create({ backend: sgeBackend, job: { ...job(), ...extra }, env, runner, pollIntervalMs: 500, handleSignals: false });

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), "daskq-sge-cluster-"));
  });

  afterAll(async () => {
    if (logDir) await rm(logDir, { recursive: true, force: true });
  });

  it("scale({jobs: 32}) makes exactly one qsub call and close() exactly one qdel call", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner);
    await cluster.scale({ jobs: 32 });
    expect(await eventually(() => cluster.status().jobs.length === 32, 20_000)).toBe(true);
    const ids = cluster.status().jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(32);
    expect(await listedInSge(ids)).toHaveLength(32);
    await new Promise((r) => setTimeout(r, 1500)); // a few polls: still no resubmission
    expect(runner.count("qsub")).toBe(1);
    await cluster.close();
    expect(runner.count("qdel")).toBe(1);
    expect(runner.calls.find((c) => c.command === "qdel")?.args).toEqual([`${ids[0]?.split(".")[0]}.1-32`]);
    expect(await listedInSge(ids)).toEqual([]);
  });

  it("a qsub that timed out after Grid Engine accepted it: its jobs are found by the cluster's job name, not submitted again", async () => {
    const runner = new AnswerLosingRunner("qsub", 1_500);
    const cluster = await JobQueueCluster.create({ backend: sgeBackend, job: job(), env, runner, pollIntervalMs: 500, handleSignals: false });
    let ids: string[] = [];
    try {
      await cluster.scale({ jobs: 3 });
      expect(await eventually(() => cluster.status().jobs.length === 3, 30_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 2000)); // more polls: still nothing submitted again
      expect(runner.answerLost).toBe(true);
      expect(runner.count("qsub")).toBe(1);
      ids = cluster.status().jobs.map((j) => j.id);
      expect(new Set(ids).size).toBe(3);
      expect(await listedInSge(ids)).toHaveLength(3);
      // Grid Engine lists nothing else under the cluster's job name.
      const named = await (sgeBackend.create({ runner: new LocalRunner(), logger: silentLogger, clusterId: cluster.clusterId }).jobsNamed?.(`${cluster.spec.jobName}-${cluster.clusterId}`) ?? []);
      expect(named.map((j) => j.id).sort()).toEqual([...ids].sort());
    } finally {
      await cluster.close();
    }
    expect(await listedInSge(ids)).toEqual([]);
  });

  it("polls 200 tracked jobs with exactly one qstat call per poll", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner);
    try {
      await cluster.scale({ jobs: 200 });
      expect(await eventually(() => cluster.status().jobs.length === 200, 20_000)).toBe(true);
      runner.reset();
      // Wait for 4 polls (however long they take on a loaded machine): each is ONE qstat covering all
      // 200 jobs and nothing else runs; per-job queries would show hundreds of calls by then.
      expect(await eventually(() => runner.count("qstat") >= 4, 60_000, 50)).toBe(true);
      const qstats = runner.calls.filter((c) => c.command === "qstat");
      expect(qstats.length).toBeLessThanOrEqual(5);
      expect(runner.calls.length).toBe(qstats.length);
      expect(cluster.status().jobs.every((j) => j.state === "queued")).toBe(true);
    } finally {
      await cluster.close();
    }
    expect(runner.count("qdel")).toBe(1);
  });

  it("never has more than max-pending-jobs queued, and does not resubmit while they wait", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner, { "max-pending-jobs": 4 });
    try {
      await cluster.scale({ jobs: 10 });
      expect(await eventually(() => cluster.status().jobs.length === 4, 10_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 2000));
      expect(cluster.status().jobs).toHaveLength(4);
      expect(runner.count("qsub")).toBe(1);
    } finally {
      await cluster.close();
    }
  });

  it("submits one job at a time with arrays: false", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner, { arrays: false });
    try {
      await cluster.scale({ jobs: 3 });
      expect(await eventually(() => cluster.status().jobs.length === 3, 10_000)).toBe(true);
      expect(runner.count("qsub")).toBe(3);
      expect(cluster.status().jobs.every((j) => /^\d+$/.test(j.id))).toBe(true);
    } finally {
      await cluster.close();
    }
  });

  it("renders the header Grid Engine users need in the job script", async () => {
    const runner = new CountingRunner();
    const cluster = await create(runner, { cores: 8, memory: "16GB", walltime: "01:00:00", queue: "q", project: "p", "job-extra-directives": [], "log-directory": null });
    try {
      const header = cluster.jobScript().split("\n").filter((l) => l.startsWith("#$"));
      expect(header).toEqual([
        "#$ -N dask-worker",
        "#$ -q q",
        "#$ -P p",
        "#$ -pe smp 8",
        "#$ -l h_vmem=1908M",
        "#$ -l h_rt=01:00:00",
        "#$ -cwd",
        "#$ -j y",
        `#$ -o ${cluster.outputDirectory}/`, // contract v2: the cluster's own output directory
      ]);
      expect(runner.count("qsub")).toBe(0);
    } finally {
      await cluster.close();
    }
  });
});
