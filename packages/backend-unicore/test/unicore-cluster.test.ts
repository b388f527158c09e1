import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClusterTls, DaskComm, JobQueueCluster, listClusterRecords, type Logger } from "@daskq/core";
import { computeArraySum, eventually, hasDaskPython, PYTHON, requireService, runPython, UnicoreEmulator } from "@daskq/testing";
import { unicoreBackend } from "../src/index.js";

const present = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "" };

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1", () => {
      s.destroy();
      resolve(false);
    });
    s.on("error", () => resolve(true));
  });

describe.runIf(present)("UNICORE backend with a cluster (UNICORE emulator)", () => {
  let emulator: UnicoreEmulator;
  let stateDirectory: string;
  const job = () => ({ url: emulator.baseUrl, username: "demouser", password: "test123", cores: 1, memory: "1GB", python: PYTHON });

  beforeAll(async () => {
    emulator = await UnicoreEmulator.start({ queueDelayMs: 200 });
    stateDirectory = await mkdtemp(join(tmpdir(), "daskq-unicore-state-"));
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(stateDirectory, { recursive: true, force: true });
  });

  it("wrong credentials give a clear error at start, before any job is submitted", async () => {
    emulator.requests.length = 0;
    const create = JobQueueCluster.create({ backend: unicoreBackend, job: { ...job(), password: "wrong" }, env, handleSignals: false });
    await expect(create).rejects.toThrow(
      /^\[daskq:unicore\] UNICORE at http:\/\/127\.0\.0\.1:\d+\/DEMO-SITE\/rest\/core refused the credentials \(basic demouser \(password from config\)\): GET .* failed \(HTTP 403\): Authentication failed - credentials could not be verified\. Check the credentials/,
    );
    await create.catch((e: Error) => expect(e.message).not.toContain("wrong"));
    expect(emulator.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("scheduler as a job with TLS (the default): workers join, a real client computes through the forwarded port and survives the forward being cut; close() leaves no job and no listener", async () => {
    const cluster = await JobQueueCluster.create({ backend: unicoreBackend, job: { ...job(), "connect-dashboard": true }, env, pollIntervalMs: 500, handleSignals: false, stateDirectory });
    let port = 0;
    try {
      // TLS end to end: the scheduler job listens on tls:// with the cluster's certificate, daskq
      // connected through the forward verifying the cluster CA, and so does the Python client.
      expect(cluster.schedulerAddress).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
      expect(cluster.workerSchedulerAddress).toMatch(/^tls:\/\//);
      // Through the forward the cluster CA is verified: the cluster's own certificate gets in, another cluster's does not.
      (await DaskComm.connect(cluster.schedulerAddress, { tls: cluster.security?.files })).close();
      const stranger = await createClusterTls(join(stateDirectory, "stranger-tls"), "daskq-00000000");
      await expect(DaskComm.connect(cluster.schedulerAddress, { tls: stranger.files })).rejects.toThrow(/certificate|verify/i);
      port = Number(cluster.schedulerAddress.split(":").pop());
      // The scheduler job is in the cluster's state file from the start: a watchdog cancels it after a crash.
      const schedulerJob = emulator.listJobs().find((j) => j.tags.includes(cluster.clusterId) && j.tags.includes("daskq-scheduler"));
      const record = (await listClusterRecords(stateDirectory)).find((r) => r.record.clusterId === cluster.clusterId);
      expect(schedulerJob).toBeDefined();
      expect(record?.record.jobs.map((j) => j.id)).toContain(schedulerJob?.id);
      expect(cluster.dashboardLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status$/);
      await cluster.scale({ jobs: 2 });
      await cluster.waitForWorkers(2, 90_000);
      // ONE jobs-list request per status poll.
      emulator.requests.length = 0;
      await new Promise((r) => setTimeout(r, 2000));
      const lists = emulator.requests.filter((r) => r.method === "GET" && r.path === "/jobs");
      const jobReads = emulator.requests.filter((r) => r.method === "GET" && r.query === "?fields=status,statusMessage,exitCode");
      expect(lists.length).toBeGreaterThanOrEqual(2);
      expect(lists.every((r) => r.query.includes(`tags=`))).toBe(true);
      expect(jobReads.length).toBeLessThanOrEqual(lists.length * 2);
      const run = runPython(
        [
          "import sys, time",
          "from distributed import Client",
          "import dask.array as da",
          "c = Client(sys.argv[1], timeout=60)",
          "for attempt in range(10):",
          "    try:",
          "        print('result', int(da.ones((2000, 2000), chunks=(100, 100)).sum().compute()), flush=True)",
          "        break",
          "    except Exception as e:",
          "        print('retry after', type(e).__name__, flush=True)",
          "        time.sleep(1)",
          "c.close()",
        ].join("\n"),
        [cluster.schedulerAddress],
        120_000,
        cluster.clientEnv,
      );
      await new Promise((r) => setTimeout(r, 2500));
      expect(emulator.dropForwards()).toBeGreaterThan(0);
      expect((await run).stdout).toMatch(/result 4000000/);
      // daskq itself still sees its workers, and computes again.
      expect(await eventually(() => cluster.status().counts.workers === 2, 30_000)).toBe(true);
      expect(await computeArraySum(cluster, 500)).toBe(250_000);
    } finally {
      await cluster.close();
    }
    expect(emulator.activeJobs).toBe(0);
    expect(await refused(port)).toBe(true);
  }, 240_000);

  it("allocation, TLS off: the scheduler and 2 worker jobs run inside an emulated allocation and compute; more jobs than nodes is a clear warning", async () => {
    const logger = recordingLogger();
    const cluster = await JobQueueCluster.create({
      backend: unicoreBackend,
      job: { ...job(), allocation: { Resources: { Nodes: "3", Runtime: "600" } } },
      env,
      pollIntervalMs: 500,
      handleSignals: false,
      tls: false,
      logger,
    });
    expect(cluster.schedulerAddress).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    try {
      await cluster.scale({ jobs: 2 });
      await cluster.waitForWorkers(2, 90_000);
      expect(await computeArraySum(cluster.schedulerAddress, 1000)).toBe(1_000_000);
      const jobs = emulator.listJobs().filter((j) => j.status === "RUNNING");
      expect(jobs.filter((j) => j.jobType === "ALLOCATE").length).toBe(1);
      expect(jobs.filter((j) => j.jobType === "ON_LOGIN_NODE").length).toBe(3);
      expect(logger.warnings.filter((w) => /allocation/.test(w))).toEqual([]);
      await cluster.scale({ jobs: 3 });
      expect(await eventually(() => logger.warnings.some((w) => /3 worker job\(s\) and the scheduler need 4 node\(s\), but the allocation .* has 3/.test(w)), 10_000)).toBe(true);
    } finally {
      await cluster.close();
    }
    expect(emulator.activeJobs).toBe(0);
  }, 240_000);
});
