/**
 * The PBS backend against the PBS EMULATOR (packages/testing/emulators/pbs), for PBS Pro and
 * Torque: real local processes behind qsub/qstat/qdel that print the documented formats. What the
 * backend sends and reads here is what it sends to and reads from a real PBS.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JobQueueCluster, renderHeader, silentLogger, type JobSpec, type JobStatus } from "@daskq/core";
import { AnswerLosingRunner, CountingRunner, PYTHON, eventually, scriptRequest } from "@daskq/testing";
import { afterAll, describe, expect, it } from "vitest";
import type { PbsBackend } from "../src/pbs-backend.js";
import { createPbsBackend, pbsBackend } from "../src/pbs-descriptor.js";
import { emulatedServer } from "./emulator.js";
import { makeSpec } from "./helpers.js";

for (const flavour of ["pro", "torque"] as const) {
  describe(`PBS backend against the ${flavour} EMULATOR`, () => {
    const server = emulatedServer(flavour);
    const runner = new CountingRunner(server.runner);
    const backend: PbsBackend = createPbsBackend({ runner, logger: silentLogger, clusterId: "daskq-test" }, {});
    const logDir = join(server.stateDir, "logs");
    const submitted: string[] = [];
    afterAll(async () => {
      await backend.cancel(submitted).catch(() => undefined);
      await backend.close();
      server.dispose();
    });

    const spec = (overrides: Partial<JobSpec> = {}): JobSpec =>
      makeSpec({ jobName: "daskq-it", cores: 1, processes: 1, memory: 100e6, walltime: 300, queue: undefined, account: undefined, logDirectory: logDir, ...overrides });
    const script = (body: string, overrides: Partial<JobSpec> = {}) => ["#!/bin/bash", ...renderHeader(backend, spec(overrides), { jobName: spec(overrides).jobName, outputDirectory: spec(overrides).logDirectory }), body, ""].join("\n");
    const submit = async (body: string, count = 1, overrides: Partial<JobSpec> = {}, maxRunning?: number) => {
      const ids = await backend.submit(scriptRequest({ script: script(body, overrides), count, spec: spec(overrides), outputDirectory: spec(overrides).logDirectory as string, ...(maxRunning === undefined ? {} : { maxRunning }) }));
      submitted.push(...ids);
      return ids;
    };
    const waitFor = async (ids: readonly string[], ok: (s: JobStatus | undefined) => boolean, timeoutMs = 15_000) => {
      let report = new Map<string, JobStatus>();
      await eventually(async () => {
        report = await backend.status(ids);
        return ids.every((id) => ok(report.get(id)));
      }, timeoutMs, 200);
      return report;
    };

    let single = "";
    let array: string[] = [];

    it("finds the flavour with qstat --version, submits one job and an array of 3, and reports all with ONE qstat", async () => {
      await backend.prepare();
      expect(runner.calls[0]).toEqual({ command: "qstat", args: ["--version"] });
      expect(backend.knownFlavour).toBe(flavour);
      [single = ""] = await submit("sleep 60");
      array = await submit("sleep 60", 3);
      expect(single).toMatch(/^\d+\.emulator$/);
      const seq = array[0]?.split("[")[0];
      expect(array).toEqual([0, 1, 2].map((i) => `${seq}[${i}].emulator`));
      const all = [single, ...array];
      await waitFor(all, (s) => s?.state === "running");
      runner.reset();
      const report = await backend.status(all);
      expect(runner.calls).toHaveLength(1);
      expect(runner.calls[0]?.args).toEqual(flavour === "pro" ? ["-x", "-f", "-F", "json", "-t", single, `${seq}[].emulator`] : ["-f", "-1", "-t", single, `${seq}[].emulator`]);
      for (const id of all) expect(report.get(id)).toEqual({ state: "running", native: "R" });
    });

    it("cancels one subjob by its id; the others keep running; then the rest with ONE qdel", async () => {
      const [first, second, third] = array as [string, string, string];
      runner.reset();
      await backend.cancel([second]);
      expect(runner.calls).toEqual([{ command: "qdel", args: [second] }]);
      const report = await waitFor([second], (s) => s !== undefined && s.state !== "running");
      expect(report.get(second)?.state).toBe(flavour === "pro" ? "cancelled" : "failed"); // Torque: C with exit_status 271
      expect((await backend.status([first, third])).get(first)?.state).toBe("running");
      runner.reset();
      await backend.cancel([single, first, second, third]);
      expect(runner.count("qdel")).toBe(1);
      const ended = await waitFor([single, first, third], (s) => s !== undefined && !["running", "queued"].includes(s.state));
      for (const status of ended.values()) expect(status.native).toBe(flavour === "pro" ? (status === ended.get(single) ? "F" : "X") : "C");
    });

    it("reports finished and failed jobs with their exit status, and serves output through logTail", async () => {
      const [ok] = await submit("echo all good");
      const [bad] = await submit("echo failing; exit 3");
      const report = await waitFor([ok as string, bad as string], (s) => s?.state === "finished" || s?.state === "failed");
      expect(report.get(ok as string)?.state).toBe("finished");
      expect(report.get(bad as string)).toEqual({ state: "failed", native: flavour === "pro" ? "F" : "C", reason: "Exit_status=3" });
      const path = flavour === "pro" ? join(logDir, `${bad}.OU`) : join(logDir, `daskq-it.o${bad?.split(".")[0]}`);
      expect(readFileSync(path, "utf8")).toBe("failing\n");
      expect(await backend.logTail(bad as string, 5)).toBe("failing");
    });

    it("keeps a held job queued (-h) until it is cancelled", async () => {
      const [held] = await submit("true", 1, { extraDirectives: ["-h"] });
      await new Promise((r) => setTimeout(r, 500));
      expect((await backend.status([held as string])).get(held as string)).toMatchObject({ state: "queued", native: "H" });
      await backend.cancel([held as string]);
      const report = await waitFor([held as string], (s) => s?.state !== "queued");
      expect(report.get(held as string)?.state).toBe("cancelled");
    });

    it("runs at most array-max-running subjobs at once", async () => {
      // Subjobs that outlive the test: whatever the machine's load, one runs and two wait.
      const ids = await submit("sleep 60", 3, {}, 1);
      const report = await waitFor(ids, (s) => s !== undefined);
      expect(report.size).toBe(3);
      await eventually(async () => [...(await backend.status(ids)).values()].some((s) => s.state === "running"), 10_000, 100);
      const now = await backend.status(ids);
      expect([...now.values()].map((s) => s.state).sort()).toEqual(["queued", "queued", "running"]);
      await backend.cancel(ids);
    });

    it("lists the unfinished jobs and subjobs of a name with ONE command (jobsNamed)", async () => {
      const named = { jobName: "daskq-named", extraDirectives: ["-h"] };
      const [held] = await submit("true", 1, named);
      const heldArray = await submit("true", 2, named);
      const [done] = await submit("true", 1, { jobName: "daskq-named" });
      await waitFor([done as string], (s) => s?.state === "finished");
      runner.reset();
      expect(await backend.jobsNamed("daskq-named")).toEqual([{ id: held }, ...heldArray.map((id, i) => ({ id, arrayIndex: i }))]);
      expect(runner.calls).toEqual([flavour === "pro" ? { command: "qselect", args: ["-N", "daskq-named", "-T"] } : { command: "qstat", args: ["-f", "-1", "-t"] }]);
      expect(await backend.jobsNamed("nobody")).toEqual([]);
      await backend.cancel([held as string, ...heldArray]);
    });

    it("treats unknown and finished ids as harmless in status and cancel", async () => {
      expect((await backend.status(["999999.emulator", "999998[0].emulator"])).size).toBe(0);
      await expect(backend.cancel(["999999.emulator", single])).resolves.toBeUndefined();
    });
  });
}

describe("PBS backend against a PBS Pro EMULATOR without job history", () => {
  const server = emulatedServer("pro", { jobHistory: false });
  const runner = new CountingRunner(server.runner);
  const backend = createPbsBackend({ runner, logger: silentLogger, options: { flavour: "pro" }, clusterId: "daskq-test" }, {});
  afterAll(async () => {
    await backend.close();
    server.dispose();
  });

  it("still sees running jobs (asking once more without -x), and finished jobs are absent", async () => {
    const [running] = await backend.submit(scriptRequest({ script: "#!/bin/bash\nsleep 30\n", count: 1 }));
    const [quick] = await backend.submit(scriptRequest({ script: "#!/bin/bash\ntrue\n", count: 1 }));
    expect(await eventually(async () => (await backend.status([running as string])).get(running as string)?.state === "running", 10_000)).toBe(true);
    expect(await eventually(async () => !(await backend.status([quick as string])).has(quick as string), 10_000)).toBe(true);
    const qstats = runner.calls.filter((c) => c.command === "qstat");
    expect(qstats.filter((c) => c.args.includes("-x"))).toHaveLength(1);
    await backend.cancel([running as string]);
  });
});

describe("JobQueueCluster on the PBS EMULATOR", () => {
  const server = emulatedServer("pro");
  afterAll(() => server.dispose());

  it("renders the golden header in the job script, and submits 4 jobs as ONE qsub -J", async () => {
    const runner = new CountingRunner(server.runner);
    const cluster = await JobQueueCluster.create({
      backend: pbsBackend,
      job: { cores: 8, memory: "16GB", walltime: "01:00:00", queue: "q", account: "p", python: PYTHON },
      env: { PATH: process.env["PATH"] ?? "" },
      runner,
      pollIntervalMs: 500,
      handleSignals: false,
      homeDir: "/nonexistent",
    });
    try {
      const header = cluster.jobScript().split("\n").filter((l) => l.startsWith("#PBS"));
      // The golden header, then the output of the cluster's own directory (contract v2: decided once per cluster).
      expect(header.slice(0, 5)).toEqual(["#PBS -N dask-worker", "#PBS -q q", "#PBS -A p", "#PBS -l select=1:ncpus=8:mem=15GB", "#PBS -l walltime=01:00:00"]);
      expect(header.slice(5)).toEqual(["#PBS -j oe", `#PBS -o ${cluster.outputDirectory}/`]);
      // Queue q does not exist on the emulated server: qsub refuses, as PBS Pro does.
      await cluster.scale({ jobs: 4 });
      expect(await eventually(() => runner.count("qsub") >= 1, 10_000)).toBe(true);
      expect(runner.calls.find((c) => c.command === "qsub")?.args.slice(0, 2)).toEqual(["-J", "0-3"]);
      expect(cluster.status().jobs).toHaveLength(0);
    } finally {
      await cluster.close();
    }
  });
  it("a qsub that timed out after PBS accepted it: its subjobs are found by the cluster's job name (qselect), not submitted again", async () => {
    const runner = new AnswerLosingRunner("qsub", 1_500, server.runner);
    const cluster = await JobQueueCluster.create({
      backend: pbsBackend,
      job: { cores: 1, memory: "1GB", walltime: "00:10:00", python: PYTHON, "job-extra-directives": ["-h"] },
      env: { PATH: process.env["PATH"] ?? "" },
      runner,
      pollIntervalMs: 500,
      handleSignals: false,
    });
    const name = `dask-worker-${cluster.clusterId}`;
    try {
      await cluster.scale({ jobs: 3 });
      expect(await eventually(() => cluster.status().jobs.length === 3, 30_000)).toBe(true);
      expect(runner.answerLost).toBe(true);
      expect(runner.calls.filter((c) => c.command === "qselect")).toEqual([{ command: "qselect", args: ["-N", name, "-T"] }]);
      const ids = cluster.status().jobs.map((j) => j.id);
      // More polls: nothing is submitted again.
      const polls = runner.count("qstat");
      expect(await eventually(() => runner.count("qstat") >= polls + 3, 60_000, 50)).toBe(true);
      expect(runner.count("qsub")).toBe(1);
      expect(cluster.status().jobs.map((j) => j.id)).toEqual(ids);
      expect((await server.runner.run("qselect", ["-N", name, "-T"])).stdout.split("\n").sort()).toEqual([...ids].sort());
    } finally {
      await cluster.close();
    }
    expect(await eventually(async () => (await server.runner.run("qselect", ["-N", name, "-T"])).stdout === "", 15_000, 200)).toBe(true);
  });
});
