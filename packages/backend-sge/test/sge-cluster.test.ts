/**
 * JobQueueCluster on the REAL Grid Engine of packages/testing/testbed/sge.sh: what the cluster costs
 * in qsub/qstat/qdel calls. Jobs are submitted on hold (`-h` among the extra directives) so they stay
 * queued: the point is the bookkeeping, not the workers (the conformance suite runs real workers).
 * The cases every batch backend shares are @daskq/testing's queuedClusterSuite; SGE's header is here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobQueueCluster, LocalRunner } from "@daskq/core";
import { CountingRunner, PYTHON, queuedClusterSuite, requireService } from "@daskq/testing";
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

let logDir = "";
beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), "daskq-sge-cluster-"));
});
afterAll(async () => {
  if (logDir) await rm(logDir, { recursive: true, force: true });
});
const job = () => ({
  cores: 1,
  memory: "100MB",
  queue: "all.q",
  walltime: "00:10:00",
  python: PYTHON,
  "log-directory": logDir,
  "job-extra-directives": ["-h"],
});

queuedClusterSuite({
  descriptor: sgeBackend,
  enabled,
  commands: { submit: "qsub", status: "qstat", cancel: "qdel" },
  job,
  listed: listedInSge,
  // ONE qdel of the array's whole task range.
  cancelArgsOf32: (ids) => [`${ids[0]?.split(".")[0]}.1-32`],
});

describe.skipIf(!enabled)("JobQueueCluster on a real Grid Engine", () => {
  const create = (runner: CountingRunner, extra: Record<string, unknown> = {}) =>
    JobQueueCluster.create({ backend: sgeBackend, job: { ...job(), ...extra }, env, runner, pollIntervalMs: 500, handleSignals: false });

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
