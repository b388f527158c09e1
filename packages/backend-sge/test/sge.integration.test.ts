/**
 * Against the REAL Grid Engine of packages/testing/testbed/sge.sh (Son of Grid Engine 8.1.9, one
 * host, queue all.q with 8 slots, PE smp, project daskq). Under CI=true a missing SGE fails this
 * file; elsewhere it is skipped. The cases every batch backend shares are @daskq/testing's
 * batchJobsSuite; Grid Engine's own states are here.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderHeader, silentLogger, submitRequest, type JobSpec, type JobStatus } from "@daskq/core";
import { CountingRunner, batchJobsSuite, eventually, requireService, scriptRequest } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SgeBackend } from "../src/sge-backend.js";
import { createSgeBackend, sgeBackend } from "../src/sge-descriptor.js";
import { makeSpec } from "./helpers.js";
import { START_SGE, sgeIsUp } from "./sge-available.js";

const enabled = requireService("Grid Engine (SGE)", await sgeIsUp(), START_SGE);

batchJobsSuite({
  descriptor: sgeBackend,
  enabled,
  commands: { status: "qstat", cancel: "qdel" },
  spec: (logDirectory) => makeSpec({ jobName: "daskq-it", cores: 1, processes: 1, memory: 100e6, walltime: 300, queue: "all.q", account: undefined, logDirectory }),
  runningNative: "r",
  arrayIds: (first, count) => Array.from({ length: count }, (_, i) => `${first.split(".")[0]}.${i + 1}`),
  missingTask: (first) => `${first.split(".")[0]}.9`,
  unknownIds: ["999999", "999998.3"],
  // While qdel's SIGKILL is on its way a task shows as `dr` (running, deletion requested); then it is gone.
  cancelledJobs: "gone",
});

describe.skipIf(!enabled)("SGE backend against a real Grid Engine", () => {
  const runner = new CountingRunner();
  let backend: SgeBackend;
  let logDir: string;
  const submitted: string[] = [];

  /** One-slot jobs in all.q with the default -pe smp and h_vmem requests; output in a fresh directory (submit must create it). */
  const spec = (overrides: Partial<JobSpec> = {}): JobSpec =>
    makeSpec({ jobName: "daskq-it", cores: 1, processes: 1, memory: 100e6, walltime: 300, queue: "all.q", account: undefined, logDirectory: join(logDir, "logs"), ...overrides });

  /** A script with the real generated header (plus `extra` directives) and `body` as its commands. */
  const script = (body: string, overrides: Partial<JobSpec> = {}) => ["#!/bin/bash", ...renderHeader(backend, spec(overrides), { jobName: "daskq-it", outputDirectory: spec(overrides).logDirectory }), body, ""].join("\n");

  const submit = async (body: string, count: number, overrides: Partial<JobSpec> = {}, maxRunning?: number) => {
    const ids = await backend.submit(scriptRequest({ script: script(body, overrides), count, spec: spec(overrides), outputDirectory: spec(overrides).logDirectory as string, ...(maxRunning === undefined ? {} : { maxRunning }) }));
    submitted.push(...ids);
    return ids;
  };

  /** Polls status until `done` holds for the report; resolves the last report. */
  const waitUntil = async (ids: readonly string[], done: (report: Map<string, JobStatus>) => boolean, timeoutMs = 20_000) => {
    let report = new Map<string, JobStatus>();
    const ok = await eventually(async () => {
      report = await backend.status(ids);
      return done(report);
    }, timeoutMs, 300);
    expect(ok, `status of ${ids.join(" ")}: ${JSON.stringify(Object.fromEntries(report))}`).toBe(true);
    return report;
  };
  const waitFor = (ids: readonly string[], state: JobStatus["state"], timeoutMs?: number) =>
    waitUntil(ids, (r) => ids.every((id) => r.get(id)?.state === state), timeoutMs);
  const waitGone = (ids: readonly string[], timeoutMs?: number) => waitUntil(ids, (r) => ids.every((id) => !r.has(id)), timeoutMs);

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), "daskq-sge-it-"));
    backend = createSgeBackend({ runner, logger: silentLogger, clusterId: "daskq-test" });
  });

  afterAll(async () => {
    await backend?.cancel(submitted);
    await backend?.close();
    if (logDir) await rm(logDir, { recursive: true, force: true });
  });

  it("keeps a held job (qsub -h) queued, on hold, and cancels it", async () => {
    const [id = ""] = await submit("sleep 60", 1, { extraDirectives: ["-h"] });
    await waitFor([id], "queued");
    await new Promise((r) => setTimeout(r, 2500)); // a few scheduler passes (every 1 s): still waiting
    expect((await backend.status([id])).get(id)).toEqual({ state: "queued", native: "hqw", reason: "on hold" });
    await backend.cancel([id]);
    await waitGone([id]);
  });

  it("tracks the tasks of a pending array through qstat's task ranges, and cancels one of them", async () => {
    const ids = await submit("sleep 60", 5, { extraDirectives: ["-h"] });
    const report = await waitFor(ids, "queued");
    for (const id of ids) expect(report.get(id)?.native).toBe("hqw");
    await backend.cancel([ids[1] as string, ids[2] as string]);
    const after = await waitGone([ids[1] as string, ids[2] as string]);
    expect([...after.keys()]).toEqual([]);
    const rest = await backend.status(ids);
    expect([...rest.keys()]).toEqual([ids[0], ids[3], ids[4]]);
    await backend.cancel(ids);
    await waitGone(ids);
  });

  it("reports a job in the error state (Eqw) as failed with Grid Engine's reason", async () => {
    const [id = ""] = await submit("echo never", 1, { extraDirectives: ["-wd /nonexistent/daskq-dir"] });
    const report = await waitFor([id], "failed");
    expect(report.get(id)).toEqual({ state: "failed", native: "Eqw", reason: "can't chdir to /nonexistent/daskq-dir: No such file or directory" });
    await backend.cancel([id]);
    await waitGone([id]);
  });

  it("limits running array tasks with maxRunning (-tc)", async () => {
    const ids = await submit("sleep 60", 3, {}, 1);
    await waitFor([ids[0] as string], "running");
    await new Promise((r) => setTimeout(r, 2500));
    const now = await backend.status(ids);
    expect(now.get(ids[0] as string)?.state).toBe("running");
    expect(now.get(ids[1] as string)).toEqual({ state: "queued", native: "qw" });
    expect(now.get(ids[2] as string)).toEqual({ state: "queued", native: "qw" });
    await backend.cancel(ids);
    await waitGone(ids);
  });

  it("lets a job that exits non-zero simply vanish: without accounting its exit code is not seen", async () => {
    const [id = ""] = await submit("exit 3", 1);
    await waitGone([id]);
  });

  it("runs a script rendered by core with -P, -pe and h_vmem, and serves its output through logTail", async () => {
    // /bin/echo as "python": the job prints its worker command line and exits 0. Two slots of
    // 1 GiB each: h_vmem is per slot and the job's virtual memory limit is their sum.
    const jobSpec = spec({
      python: "/bin/echo",
      cores: 2,
      memory: 2 ** 31,
      account: "daskq",
      logDirectory: join(logDir, "rendered logs", "a:b"),
      prologue: ['echo "vmem limit: $(ulimit -v)"'],
    });
    const header = renderHeader(backend, jobSpec, { jobName: jobSpec.jobName, outputDirectory: jobSpec.logDirectory });
    expect(header).toEqual([
      "#$ -N daskq-it",
      "#$ -q all.q",
      "#$ -P daskq",
      "#$ -pe smp 2",
      "#$ -l h_vmem=1G",
      "#$ -l h_rt=00:05:00",
      "#$ -cwd",
      "#$ -j y",
      `#$ -o ":${join(logDir, "rendered logs", "a:b")}/"`,
    ]);
    const parts = { schedulerAddress: "tcp://127.0.0.1:8786", outputDirectory: jobSpec.logDirectory as string };
    const one = await backend.submit(submitRequest(backend, jobSpec, { ...parts, naming: { kind: "fixed", name: "daskq-it-0" }, count: 1 }));
    const two = await backend.submit(submitRequest(backend, jobSpec, { ...parts, naming: { kind: "array", base: "daskq-it-1" }, count: 2 }));
    submitted.push(...one, ...two);
    await waitGone([...one, ...two]);

    const names = ["daskq-it-0", "daskq-it-1-1", "daskq-it-1-2"];
    for (const [i, id] of [...one, ...two].entries()) {
      expect(existsSync(join(logDir, "rendered logs", "a:b", `daskq-it.o${id}`))).toBe(true);
      const text = await eventually(async () => (await backend.logTail(id, 40)) !== undefined, 5000).then(() => backend.logTail(id, 40));
      expect(text).toContain("vmem limit: 2097152");
      expect(text).toContain(`-m distributed.cli.dask_worker tcp://127.0.0.1:8786 --name ${names[i]} --nthreads 2`);
    }
  });
});
