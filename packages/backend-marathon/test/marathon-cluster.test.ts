/**
 * Acceptance of the Marathon backend (issue 8) with a real Dask scheduler, real workers started as
 * Marathon tasks by the Marathon EMULATOR, and a real Python client.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueueCluster, LocalRunner, loadBackendConfig, resolveJobSpec, silentLogger } from "@daskq/core";
import { computeArraySum, eventually, findProcesses, hasDaskPython, PYTHON, requireService, startMarathonEmulator, type MarathonEmulator } from "@daskq/testing";
import { marathonBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home" };

describe.runIf(available)("Marathon backend on the emulator, with a real scheduler and workers", () => {
  let marathon: MarathonEmulator;
  beforeAll(async () => {
    marathon = await startMarathonEmulator({ stagingMs: 100 });
  });
  afterAll(async () => {
    await marathon?.close();
  });
  const job = () => ({ python: PYTHON, cores: 1, memory: "500MB", url: marathon.url, "agent-url": marathon.url });
  const since = (n: number) => marathon.requests.slice(n);

  it("scale(8 workers) is ONE PUT; a TLS client computes; retiring 3 is ONE kill with scale=true of exactly their tasks; close leaves nothing", async () => {
    // The tasks' TMPDIR, where each writes its TLS files.
    const taskTmp = await mkdtemp(join(tmpdir(), "daskq-marathon-task-tmp-"));
    // Without nanny: 8 worker processes instead of 16 on a small machine.
    const cluster = await JobQueueCluster.create({ backend: marathonBackend, job: { ...job(), nanny: false, env: { TMPDIR: taskTmp } }, env, pollIntervalMs: 500, handleSignals: false });
    let app: string | undefined;
    try {
      // TLS is on by default: the workers must join a TLS scheduler with the cluster's certificate.
      expect(cluster.schedulerAddress).toMatch(/^tls:\/\//);
      const start = marathon.requests.length;
      await cluster.scale({ workers: 8 });
      await cluster.waitForWorkers(8, 120_000);
      const writes = since(start).filter((r) => r.method !== "GET");
      expect(writes.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "PUT 200"]);
      app = writes[0]?.path === "/v2/apps" ? (writes[0].body as { id: string }).id : undefined;
      // One app per cluster: the default prefix and the cluster's id.
      expect(app).toMatch(/^\/daskq\/daskq-[0-9a-f]+$/);
      expect(writes[1]?.body).toEqual({ instances: 8 });
      // Workers are named after their Mesos tasks and attached to their jobs.
      const tasks = [...(marathon.app(app as string)?.tasks.keys() ?? [])].sort();
      expect(cluster.status().workers.map((w) => w.name).sort()).toEqual(tasks);
      expect(cluster.status().workers.every((w) => w.jobId !== undefined)).toBe(true);
      expect((await readdir(taskTmp)).filter((f) => f.startsWith("daskq-tls.")).length).toBe(8);
      expect(await computeArraySum(cluster, 1000)).toBe(1_000_000);

      const before = marathon.requests.length;
      await cluster.scale({ workers: 5 });
      expect(await eventually(() => cluster.status().counts.workers === 5 && marathon.app(app as string)?.tasks.size === 5, 60_000)).toBe(true);
      const kills = since(before).filter((r) => r.method !== "GET");
      expect(kills.map((r) => `${r.method} ${r.path} scale=${r.query.get("scale")}`)).toEqual(["POST /v2/tasks/delete scale=true"]);
      const killed = (kills[0]?.body as { ids: string[] }).ids;
      expect(killed).toHaveLength(3);
      const left = cluster.status().workers.map((w) => w.name);
      expect(killed.filter((id) => left.includes(id))).toEqual([]);
      expect(killed.every((id) => tasks.includes(id))).toBe(true);
      expect(marathon.app(app as string)?.definition.instances).toBe(5);
    } finally {
      await cluster.close();
    }
    expect(marathon.app(app as string)).toBeUndefined();
    expect(await eventually(() => marathon.livePids().length === 0, 30_000)).toBe(true);
    expect(await findProcesses((app as string).replace(/^\//, "").replaceAll("/", "_"))).toEqual([]);
    // Every task removed its TLS files, the killed ones included.
    expect((await readdir(taskTmp)).filter((f) => f.startsWith("daskq-tls."))).toEqual([]);
    await rm(taskTmp, { recursive: true, force: true });
  }, 240_000);

  it("reports a worker command that fails with Marathon's message and the task's stderr, and leaves the app at 0 instances", async () => {
    const cluster = await JobQueueCluster.create({
      backend: marathonBackend,
      job: { ...job(), python: "/nonexistent/bin/python3" },
      env,
      pollIntervalMs: 300,
      maxStartFailures: 2,
      retryBackoffMs: 200,
      handleSignals: false,
    });
    const gaveUp = new Promise<Error>((resolve) => cluster.once("cluster-error", resolve));
    try {
      const start = marathon.requests.length;
      await cluster.scale({ workers: 2 });
      const error = await Promise.race([gaveUp, new Promise<undefined>((r) => setTimeout(() => r(undefined), 60_000))]);
      expect(error?.message).toMatch(/ended before their worker joined/);
      expect(error?.message).toContain("TASK_FAILED: Command exited with status 127");
      expect(error?.message).toMatch(/\/nonexistent\/bin\/python3: (not found|No such file or directory)/);
      const id = (since(start).find((r) => r.method === "POST")?.body as { id: string }).id;
      // Marathon would relaunch forever: daskq scaled the app down, and it stays down.
      expect(await eventually(() => marathon.app(id)?.definition.instances === 0 && marathon.app(id)?.tasks.size === 0, 30_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 2500));
      expect(marathon.app(id)?.definition.instances).toBe(0);
      expect(marathon.app(id)?.tasks.size).toBe(0);
    } finally {
      await cluster.close();
    }
  });

  it("polls all jobs with ONE GET; a backend rebuilt from the cluster id alone (daskq cleanup, the watchdog) deletes the app a dead owner left", async () => {
    const options = { url: marathon.url };
    const spec = resolveJobSpec(loadBackendConfig(marathonBackend, { job: { ...job(), ...options }, env }), { python: PYTHON });
    const make = () => marathonBackend.create({ runner: new LocalRunner(), logger: silentLogger, options: spec.backendOptions, clusterId: "daskq-dead" });
    const owner = make();
    const argv = [PYTHON, "-c", "import time; time.sleep(120)"];
    const ids = await owner.submit({ spec, count: 2, outputDirectory: "/unused", worker: { argv, schedulerAddress: "tcp://127.0.0.1:1", expandOnNode: [], env: {}, naming: { kind: "array", base: "x" }, prologue: [], epilogue: [] } });
    expect(await eventually(() => marathon.livePids().length === 2, 30_000)).toBe(true);
    // A status poll of every job is ONE request: the app with its tasks and lastTaskFailure embedded.
    expect(await eventually(async () => [...(await owner.status(ids)).values()].every((st) => st.state === "running"), 30_000)).toBe(true);
    const before = marathon.requests.length;
    const statuses = await owner.status(ids);
    expect(marathon.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.query.getAll("embed").join(",")}`)).toEqual([
      "GET /v2/apps/daskq/daskq-dead app.tasks,app.lastTaskFailure",
    ]);
    expect([...statuses.keys()]).toEqual(ids);
    // The owner dies without closing; another process rebuilds the backend and cleans up.
    const rebuilt = make();
    await rebuilt.cancel(ids);
    await rebuilt.close?.();
    expect(marathon.app("/daskq/daskq-dead")).toBeUndefined();
    expect(await eventually(() => marathon.livePids().length === 0, 30_000)).toBe(true);
  });
});
