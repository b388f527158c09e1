/**
 * JobQueueCluster on the LSF EMULATOR: what the cluster costs in bsub/bjobs/bkill calls. Jobs are
 * held (`-H`, PSUSP) so they stay queued: the point is the bookkeeping, not the workers (the
 * conformance suite runs real workers).
 */
import { JobQueueCluster } from "@daskq/core";
import {
  AnswerLosingRunner,
  CountingRunner,
  PYTHON,
  createLsfEmulatorCluster,
  eventually,
  lsfEmulatorRunner,
  withLsfEmulator,
  type LsfEmulatorCluster,
} from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lsfBackend } from "../src/index.js";

const env = { PATH: process.env["PATH"] ?? "" };
const job = { cores: 1, memory: "100MB", walltime: "00:10", python: PYTHON, "lsf-units": "MB", "job-extra-directives": ["-H"] };

describe("JobQueueCluster on the LSF emulator", () => {
  let cluster: LsfEmulatorCluster;

  beforeAll(async () => {
    cluster = await createLsfEmulatorCluster();
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  /** The emulator's own view: ids of jobs that are not finished. */
  const unfinished = async (): Promise<string[]> => {
    const out = await lsfEmulatorRunner(cluster).run("bjobs", ["-noheader", "-o", "jobid jobindex stat delimiter='|'"]);
    return out.stdout.split("\n").filter(Boolean);
  };

  const create = (runner: CountingRunner, extra: Record<string, unknown> = {}) =>
    JobQueueCluster.create({ backend: withLsfEmulator(lsfBackend, cluster), job: { ...job, ...extra }, env, runner, pollIntervalMs: 500, handleSignals: false });

  it("scale({jobs: 32}) makes exactly one bsub call and close() exactly one bkill call", async () => {
    const runner = new CountingRunner();
    const jqc = await create(runner);
    await jqc.scale({ jobs: 32 });
    expect(await eventually(() => jqc.status().jobs.length === 32, 20_000)).toBe(true);
    const ids = jqc.status().jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(32);
    expect(ids.every((id) => /^\d+\[\d+\]$/.test(id))).toBe(true);
    expect(await unfinished()).toHaveLength(32);
    await new Promise((r) => setTimeout(r, 1500)); // a few polls: still no resubmission
    expect(runner.count("bsub")).toBe(1);
    await jqc.close();
    expect(runner.count("bkill")).toBe(1);
    expect(await unfinished()).toEqual([]);
  });

  it("polls 200 tracked jobs with exactly one bjobs call per poll", async () => {
    const runner = new CountingRunner();
    const jqc = await create(runner);
    try {
      await jqc.scale({ jobs: 200 });
      expect(await eventually(() => jqc.status().jobs.length === 200, 20_000)).toBe(true);
      runner.reset();
      // Wait for 4 polls (however long they take on a loaded machine): each is ONE bjobs for all 200
      // jobs and nothing else runs; per-job queries would show hundreds of calls by then.
      expect(await eventually(() => runner.count("bjobs") >= 4, 60_000, 50)).toBe(true);
      const polls = runner.calls.filter((c) => c.command === "bjobs");
      expect(polls.length).toBeLessThanOrEqual(5);
      expect(runner.calls.length).toBe(polls.length);
      expect(polls.every((c) => c.args.filter((a) => /^\d+$/.test(a)).length === 1)).toBe(true);
      expect(jqc.status().jobs.every((j) => j.state === "queued" && j.native === "PSUSP")).toBe(true);
    } finally {
      await jqc.close();
    }
    expect(runner.count("bkill")).toBe(1);
  });

  it("never has more than max-pending-jobs queued, and does not resubmit while they wait", async () => {
    const runner = new CountingRunner();
    const jqc = await create(runner, { "max-pending-jobs": 4 });
    try {
      await jqc.scale({ jobs: 10 });
      expect(await eventually(() => jqc.status().jobs.length === 4, 10_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 2000));
      expect(jqc.status().jobs).toHaveLength(4);
      expect(runner.count("bsub")).toBe(1);
    } finally {
      await jqc.close();
    }
  });

  it("a bsub that timed out after LSF accepted it: its jobs are found by the cluster's job name (bjobs -J), not submitted again", async () => {
    const runner = new AnswerLosingRunner("bsub", 1_500);
    const jqc = await create(runner);
    try {
      await jqc.scale({ jobs: 3 });
      expect(await eventually(() => jqc.status().jobs.length === 3, 30_000)).toBe(true);
      expect(runner.answerLost).toBe(true);
      // ONE query by name found them.
      expect(runner.calls.filter((c) => c.command === "bjobs" && c.args.includes("-J"))).toHaveLength(1);
      const ids = jqc.status().jobs.map((j) => j.id);
      // More polls: nothing is submitted again.
      const polls = runner.count("bjobs");
      expect(await eventually(() => runner.count("bjobs") >= polls + 3, 60_000, 50)).toBe(true);
      expect(runner.count("bsub")).toBe(1);
      expect(jqc.status().jobs.map((j) => j.id)).toEqual(ids);
      // LSF lists exactly these under the cluster's job name, and nothing else is unfinished.
      const named = await lsfEmulatorRunner(cluster).run("bjobs", ["-noheader", "-J", `dask-worker-${jqc.clusterId}`, "-o", "jobid jobindex delimiter='|'"]);
      expect(named.stdout.split("\n").map((l) => l.replace(/^(\d+)\|(\d+)$/, "$1[$2]")).sort()).toEqual([...ids].sort());
    } finally {
      await jqc.close();
    }
    expect(await unfinished()).toEqual([]);
  });

  it("renders the header LSF users know in the job script", async () => {
    const runner = new CountingRunner();
    const jqc = await create(runner, { cores: 8, memory: "16GB", walltime: "01:00", queue: "q", project: "p", "lsf-units": "KB", "job-extra-directives": [] });
    try {
      expect(jqc.jobScript().split("\n").filter((l) => l.startsWith("#BSUB"))).toEqual([
        "#BSUB -J dask-worker",
        "#BSUB -q q",
        '#BSUB -P "p"',
        "#BSUB -n 8",
        '#BSUB -R "span[hosts=1]"',
        "#BSUB -M 16000000",
        "#BSUB -W 01:00",
        // contract v2: output goes to the cluster's own directory
        `#BSUB -o ${jqc.outputDirectory}/dask-worker-%J_%I.out`,
        `#BSUB -e ${jqc.outputDirectory}/dask-worker-%J_%I.out`,
      ]);
      expect(runner.count("bsub")).toBe(0);
    } finally {
      await jqc.close();
    }
  });
});
