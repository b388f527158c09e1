/**
 * The LSF backend against the LSF EMULATOR (packages/testing/emulators/lsf): real bsub/bjobs/bkill
 * commands and real job processes, with the documented output formats. The emulator ships with the
 * repo, so this file always runs.
 */
import { join } from "node:path";
import { renderHeader, silentLogger, submitRequest, type JobSpec, type JobStatus } from "@daskq/core";
import {
  CountingRunner,
  createLsfEmulatorCluster,
  eventually,
  lsfEmulatorRunner,
  type LsfEmulatorCluster, scriptRequest } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LsfBackend } from "../src/lsf-backend.js";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { makeSpec } from "./helpers.js";

const KNOBS = { DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL: "1" };

/** A backend on a fresh emulated cluster, with a runner that counts its commands. */
async function emulated(lsfConf: Record<string, string> = {}, env: Record<string, string> = {}, options: Record<string, unknown> = {}) {
  const cluster = await createLsfEmulatorCluster(lsfConf, { ...KNOBS, ...env });
  const runner = new CountingRunner(lsfEmulatorRunner(cluster));
  const backend = createLsfBackend({ runner, logger: silentLogger, options, clusterId: "daskq-test" });
  await backend.prepare(); // reads LSF_UNIT_FOR_LIMITS from the emulated lsf.conf through the runner
  runner.reset();
  return { cluster, runner, backend };
}

/** Polls status until every id is in `state`; resolves the last report. */
async function waitFor(backend: LsfBackend, ids: readonly string[], state: JobStatus["state"], timeoutMs = 20_000) {
  let report = new Map<string, JobStatus>();
  await eventually(async () => {
    report = await backend.status(ids);
    return ids.every((id) => report.get(id)?.state === state);
  }, timeoutMs, 200);
  return report;
}

describe("LSF backend against the LSF emulator", () => {
  let cluster: LsfEmulatorCluster;
  let runner: CountingRunner;
  let backend: LsfBackend;
  let logDir: string;

  /** One-core worker jobs, output in a directory that does not exist yet (submit must create it). */
  const spec = (overrides: Partial<JobSpec> = {}): JobSpec =>
    makeSpec({ jobName: "daskq-it", cores: 1, processes: 1, memory: 100e6, walltime: 600, queue: "normal", account: "it", logDirectory: join(logDir, "logs"), ...overrides });
  const script = (body: string, overrides: Partial<JobSpec> = {}) => ["#!/bin/bash", ...renderHeader(backend, spec(overrides), { jobName: "daskq-it", outputDirectory: spec(overrides).logDirectory }), body, ""].join("\n");

  beforeAll(async () => {
    ({ cluster, runner, backend } = await emulated());
    logDir = join(cluster.stateDir, "..", "it");
  });

  afterAll(async () => {
    await backend?.close();
    await cluster?.dispose();
  });

  let single = "";
  let array: string[] = [];

  it("submits one job and an array of 4 (one bsub each), and reports all 5 with ONE bjobs call", async () => {
    runner.reset();
    [single = ""] = await backend.submit(scriptRequest({ script: script("sleep 60"), count: 1, spec: spec(), outputDirectory: spec().logDirectory as string }));
    array = await backend.submit(scriptRequest({ script: script("sleep 60"), count: 4, spec: spec(), outputDirectory: spec().logDirectory as string }));
    expect(runner.calls.map((c) => c.command)).toEqual(["mkdir", "bsub", "bsub"]);
    expect(single).toMatch(/^\d+$/);
    const base = array[0]?.replace(/\[.*/, "");
    expect(array).toEqual([1, 2, 3, 4].map((i) => `${base}[${i}]`));

    const all = [single, ...array];
    await waitFor(backend, all, "running");
    runner.reset();
    const report = await backend.status(all);
    expect(runner.calls).toEqual([{ command: "bjobs", args: ["-o", "jobid jobindex stat exit_code exit_reason pend_reason", "-json", single, base] }]);
    for (const id of all) expect(report.get(id)).toEqual({ state: "running", native: "RUN" });
  });

  it("cancels one array element by its id with ONE bkill; the others keep running", async () => {
    const target = array[2] as string;
    runner.reset();
    await backend.cancel([target]);
    expect(runner.calls).toEqual([{ command: "bkill", args: [target] }]);
    const report = await waitFor(backend, [target], "cancelled");
    expect(report.get(target)).toEqual({ state: "cancelled", native: "EXIT", reason: "TERM_OWNER: job killed by owner" });
    const rest = await backend.status([single, ...array.filter((id) => id !== target)]);
    expect([...rest.values()].map((s) => s.state)).toEqual(["running", "running", "running", "running"]);
  });

  it("treats unknown ids as absent, alone or among known ones, and cancels them harmlessly", async () => {
    expect((await backend.status(["999999"])).size).toBe(0);
    const base = array[0]?.replace(/\[.*/, "") as string;
    const report = await backend.status([single, "999999", "999998[3]", `${base}[9]`]);
    expect([...report.keys()]).toEqual([single]);
    await expect(backend.cancel(["999999", "999998[3]", `${base}[9]`])).resolves.toBeUndefined();
  });

  it("cancels everything left in ONE call; finished ids in it are harmless", async () => {
    const all = [single, ...array];
    runner.reset();
    await backend.cancel(all);
    expect(runner.count("bkill")).toBe(1);
    const report = await waitFor(backend, all, "cancelled");
    expect(report.size).toBe(5);
  });

  it("reports a job that exits 3 as failed, with its exit code", async () => {
    const [id = ""] = await backend.submit(scriptRequest({ script: script("exit 3"), count: 1, spec: spec(), outputDirectory: spec().logDirectory as string }));
    const report = await waitFor(backend, [id], "failed");
    expect(report.get(id)).toEqual({ state: "failed", native: "EXIT", reason: "exit code 3" });
    expect(await backend.logTail(id, 20)).toContain("Exited with exit code 3.");
  });

  it("keeps a held job (-H from job-extra-directives) queued, and cancels it", async () => {
    const held = spec({ extraDirectives: ["-H"] });
    const [id = ""] = await backend.submit(scriptRequest({ script: ["#!/bin/bash", ...renderHeader(backend, held, { jobName: "held" }), "sleep 60", ""].join("\n"), count: 1 }));
    const report = await waitFor(backend, [id], "queued");
    expect(report.get(id)).toEqual({ state: "queued", native: "PSUSP", reason: "The job was suspended by the user while pending" });
    await backend.cancel([id]);
    expect((await backend.status([id])).get(id)).toEqual({ state: "cancelled", native: "EXIT", reason: "TERM_OWNER: job killed by owner" });
  });

  it("limits running array elements with maxRunning (%k)", async () => {
    const ids = await backend.submit(scriptRequest({ script: script("sleep 60"), count: 3, maxRunning: 1, spec: spec(), outputDirectory: spec().logDirectory as string }));
    await waitFor(backend, [ids[0] as string], "running");
    const now = await backend.status(ids);
    for (const id of ids.slice(1)) {
      expect(now.get(id)).toEqual({ state: "queued", native: "PEND", reason: "The job array has reached its job slot limit" });
    }
    await backend.cancel(ids);
    await waitFor(backend, ids, "cancelled");
  });

  it("runs a script rendered by core, array elements named by LSB_JOBINDEX, output served by logTail", async () => {
    // /bin/echo as "python": the job prints its worker command line and exits 0.
    const jobSpec = spec({ python: "/bin/echo", logDirectory: join(logDir, "rendered logs", "100%") });
    const parts = { schedulerAddress: "tcp://127.0.0.1:8786", outputDirectory: jobSpec.logDirectory as string };
    const one = await backend.submit(submitRequest(backend, jobSpec, { ...parts, naming: { kind: "fixed", name: "daskq-it-0" }, count: 1 }));
    const two = await backend.submit(submitRequest(backend, jobSpec, { ...parts, naming: { kind: "array", base: "daskq-it-1" }, count: 2 }));
    const report = await waitFor(backend, [...one, ...two], "finished");
    for (const status of report.values()) expect(status).toEqual({ state: "finished", native: "DONE" });
    const names = ["daskq-it-0", "daskq-it-1-1", "daskq-it-1-2"];
    for (const [i, id] of [...one, ...two].entries()) {
      const text = await backend.logTail(id, 50);
      expect(text).toContain(`-m distributed.cli.dask_worker tcp://127.0.0.1:8786 --name ${names[i]} --nthreads 1`);
      expect(text).toContain("Successfully completed.");
    }
  });
});

describe("LSF backend: bsub script, and an LSF without bjobs -json", () => {
  it("with use-stdin: false submits the script's path; LSF reads its #BSUB lines with LSB_BSUB_PARSE_SCRIPT=Y", async () => {
    const { cluster, runner, backend } = await emulated({ LSB_BSUB_PARSE_SCRIPT: "Y" }, {}, { "use-stdin": false });
    try {
      const held = makeSpec({ cores: 1, memory: 1e8, queue: "normal", extraDirectives: ["-H"] });
      const text = ["#!/bin/bash", ...renderHeader(backend, held, { jobName: "by-path" }), "sleep 60", ""].join("\n");
      const [id = ""] = await backend.submit(scriptRequest({ script: text, count: 1 }));
      const bsub = runner.calls.find((c) => c.command === "bsub");
      expect(bsub?.args).toEqual([expect.stringMatching(/daskq-lsf-.*\/job-1\.sh$/)]);
      expect((await backend.status([id])).get(id)?.native).toBe("PSUSP");
      await backend.cancel([id]);
    } finally {
      await backend.close();
      await cluster.dispose();
    }
  });

  it("detects the missing -json once and polls with ONE text-form bjobs from then on", async () => {
    const { cluster, runner, backend } = await emulated({}, { DASKQ_LSF_EMULATOR_JSON: "0" });
    try {
      const ids = await backend.submit(scriptRequest({ script: "#!/bin/bash\n#BSUB -J old\n#BSUB -H\nsleep 60\n", count: 2 }));
      runner.reset();
      expect((await backend.status(ids)).get(ids[1] as string)).toMatchObject({ state: "queued", native: "PSUSP" });
      expect(runner.calls.map((c) => c.args.includes("-json"))).toEqual([true, false]);
      runner.reset();
      const again = await backend.status(ids);
      expect(runner.calls).toHaveLength(1);
      expect(again.size).toBe(2);
      await backend.cancel(ids);
    } finally {
      await cluster.dispose();
    }
  });
});
