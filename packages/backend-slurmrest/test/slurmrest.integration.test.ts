import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DaskqError,
  JobQueueCluster,
  LocalRunner,
  loadBackendConfig,
  renderJobScript,
  resolveJobSpec,
  silentLogger,
  type BackendDescriptor,
  type JobSpec,
  type Logger,
  type SubmitRequest,
  workerLaunch,
} from "@daskq/core";
import { PYTHON, eventually, requireService } from "@daskq/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createSlurmRestBackend, slurmRestBackend, type HttpTransport, type SlurmRestBackend } from "../src/index.js";
import { CountingTransport } from "./helpers.js";
import { SLURMREST_SOCKET, SLURMREST_URL, START_SLURMREST, freshToken, slurmrestIsUp } from "./slurmrest-available.js";

const present = requireService("slurmrestd with JWT (the Slurm testbed)", await slurmrestIsUp(), START_SLURMREST);
const token = present ? await freshToken(3600) : undefined;
const env = { PATH: process.env["PATH"] ?? "" };
const runner = new LocalRunner();
const outputs = mkdtempSync(join(tmpdir(), "daskq-slurmrest-it-"));
// Jobs through the local socket run as the user `slurmrest`: they must be able to write their output.
chmodSync(outputs, 0o1777);
afterAll(() => rmSync(outputs, { recursive: true, force: true }));

/** The job options of a test: partition `down` (jobs stay queued), the testbed's slurmrestd. */
function jobOptions(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { python: PYTHON, cores: 1, memory: "100MB", queue: "down", walltime: "00:10:00", "log-directory": outputs, url: SLURMREST_URL, token, ...extra };
}

/** A backend made as core makes it, whose HTTP requests are counted. */
function countedBackend(options: Record<string, unknown>): { backend: SlurmRestBackend; http: CountingTransport; spec: JobSpec } {
  const spec = resolveJobSpec(loadBackendConfig(slurmRestBackend, { job: options, env }), { python: PYTHON });
  // The backend makes its transport in prepare(): count through a stand-in that forwards to it.
  let inner: HttpTransport | undefined;
  const http = new CountingTransport({ endpoint: SLURMREST_URL, send: (request) => (inner as HttpTransport).send(request) });
  const backend = createSlurmRestBackend({ runner, logger: silentLogger, options: spec.backendOptions, clusterId: "daskq-slurmrest-test" }, (t) => {
    inner = t;
    return http;
  });
  return { backend, http, spec };
}

/** A descriptor whose backends count their HTTP requests into `http` (made over `alter` of the real transport). */
function countedDescriptor(onCreate: (http: CountingTransport) => void, alter: (transport: HttpTransport) => HttpTransport = (t) => t): BackendDescriptor {
  return {
    ...slurmRestBackend,
    create: (context) =>
      createSlurmRestBackend(context, (t) => {
        const http = new CountingTransport(alter(t));
        onCreate(http);
        return http;
      }),
  };
}

/** A descriptor whose FIRST job submission reaches slurmrestd, but whose answer is then lost. */
function losingDescriptor(onCreate: (http: CountingTransport) => void): BackendDescriptor {
  let lost = false;
  return countedDescriptor((http) => onCreate(http), (t) => ({
    endpoint: t.endpoint,
    send: async (request) => {
      const answer = await t.send(request);
      if (request.method === "POST" && !lost) {
        lost = true;
        throw new DaskqError("slurmrest", "the connection was reset after the request was sent (test: the answer is lost)");
      }
      return answer;
    },
  }));
}

/** A logger that keeps every line, debug included. */
function recordingLogger(lines: string[]): Logger {
  const keep = (message: string) => void lines.push(message);
  return { debug: keep, info: keep, warn: keep, error: keep };
}

/** A request for `count` worker jobs (they stay queued in `down`, so no scheduler is needed). */
function sleepRequest(backend: SlurmRestBackend, spec: JobSpec, count: number): SubmitRequest {
  const worker = workerLaunch(spec, "tcp://127.0.0.1:1", count > 1 ? { kind: "array", base: "it" } : { kind: "fixed", name: "it" });
  return { spec, worker, count, outputDirectory: outputs, script: renderJobScript(backend, spec, worker, outputs) };
}

/** `squeue` rows (id, state, user) of the given array/job ids. */
async function squeue(ids: readonly string[]): Promise<string[]> {
  const r = await runner.run("squeue", ["-h", "-r", "-t", "all", "-o", "%i %T %u", "-j", ids.join(",")]);
  return r.stdout.trim().split("\n").filter(Boolean);
}

describe.runIf(present)("slurmrest against the real slurmrestd 22.05", () => {
  it("scale({jobs: 32}) is ONE HTTP submit; 200 jobs are ONE request per poll; close is ONE DELETE per array", async () => {
    const https: CountingTransport[] = [];
    const cluster = await JobQueueCluster.create({ backend: countedDescriptor((h) => https.push(h)), job: jobOptions(), env, runner, pollIntervalMs: 500, handleSignals: false });
    const http = () => https[0] as CountingTransport;
    try {
      await cluster.scale({ jobs: 32 });
      await eventually(() => cluster.status().jobs.length === 32, 30_000);
      expect(http().count("POST", /job\/submit$/)).toBe(1);
      await cluster.scale({ jobs: 200 });
      await eventually(() => cluster.status().jobs.length === 200, 30_000);
      expect(http().count("POST", /job\/submit$/)).toBe(2);
      const ids = cluster.status().jobs.map((j) => j.id);
      expect(new Set(ids.map((id) => id.split("_")[0])).size).toBe(2);

      // One poll of all 200, on a fresh backend: exactly one request after discovery.
      const { backend, http: pollHttp } = countedBackend(jobOptions());
      await backend.prepare();
      const before = pollHttp.calls.length;
      const report = await backend.status(ids);
      expect(pollHttp.calls.slice(before)).toEqual(["GET /slurm/v0.0.38/jobs"]);
      expect(report.size).toBe(200);
      expect([...report.values()].every((s) => s.state === "queued" && s.reason === "PartitionDown")).toBe(true);
    } finally {
      await cluster.close();
    }
    expect(http().count("DELETE", /./)).toBe(2);
    expect(http().calls.filter((c) => c.startsWith("DELETE")).every((c) => /\/job\/\d+$/.test(c))).toBe(true);
  });

  it("surfaces slurmrestd's errors[] with Slurm's text and the API version", async () => {
    const { backend, spec } = countedBackend(jobOptions({ queue: "nosuch" }));
    await expect(backend.submit(sleepRequest(backend, spec, 1))).rejects.toThrow(
      /^\[daskq:slurmrest\] slurmrestd at http:\/\/127\.0\.0\.1:\d+ \(v0\.0\.38\) POST job\/submit: .*Invalid partition name specified/,
    );
  });

  it("an expired or refused token is a clear error before anything is submitted", async () => {
    const expired = await freshToken(1);
    await eventually(() => Date.now() / 1000 > JSON.parse(Buffer.from(expired?.split(".")[1] ?? "", "base64url").toString()).exp + 1, 10_000);
    const old = countedBackend(jobOptions({ token: expired }));
    await expect(old.backend.submit(sleepRequest(old.backend, old.spec, 2))).rejects.toThrow(/\[daskq:slurmrest\] the JWT for user \S+ expired at/);
    expect(old.http.calls).toEqual([]);

    // Valid claims, wrong signature: only slurmctld can tell. The ping in prepare() asks it.
    const forged = `${token?.slice(0, -4)}AAAA`;
    const bad = countedBackend(jobOptions({ token: forged }));
    const error = await bad.backend.submit(sleepRequest(bad.backend, bad.spec, 2)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/\(v0\.0\.38\) GET ping: slurmctld does not accept user \S+ with the given JWT/);
    expect(error?.message).not.toContain(forged);
    expect(bad.http.calls).toEqual(["GET /openapi", "GET /slurm/v0.0.38/ping"]);
    await expect(JobQueueCluster.create({ backend: slurmRestBackend, job: jobOptions({ token: forged }), env, runner, handleSignals: false })).rejects.toThrow(
      /slurmctld does not accept/,
    );
  });

  it("a submission whose answer was lost is found by its name (jobsNamed), not submitted twice", async () => {
    const https: CountingTransport[] = [];
    const lines: string[] = [];
    const cluster = await JobQueueCluster.create({
      backend: losingDescriptor((h) => https.push(h)),
      job: jobOptions(),
      env,
      runner,
      logger: recordingLogger(lines),
      pollIntervalMs: 500,
      handleSignals: false,
    });
    const http = () => https[0] as CountingTransport;
    try {
      await cluster.scale({ jobs: 4 });
      await eventually(() => cluster.status().jobs.length === 4, 60_000);
      // Let the reconciler run a few more ticks: nothing more may be submitted.
      const polls = http().count("GET", /\/jobs$/);
      await eventually(() => http().count("GET", /\/jobs$/) >= polls + 3, 30_000);
      expect(http().count("POST", /job\/submit$/)).toBe(1);
      const ids = cluster.status().jobs.map((j) => j.id);
      expect(new Set(ids.map((id) => id.split("_")[0])).size).toBe(1);
      expect(ids.map((id) => id.split("_")[1]).sort()).toEqual(["0", "1", "2", "3"]);
      expect((await squeue([ids[0]?.split("_")[0] as string])).filter((row) => / PENDING /.test(row))).toHaveLength(4);
      expect(lines.some((l) => /found 4 job\(s\) of a submission whose answer was lost/.test(l))).toBe(true);
    } finally {
      await cluster.close();
    }
  });

  it("the token is in no log line (debug included) and no error of a cluster's life", async () => {
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const cluster = await JobQueueCluster.create({ backend: slurmRestBackend, job: jobOptions(), env, runner, logger, pollIntervalMs: 500, handleSignals: false });
    try {
      await cluster.scale({ jobs: 2 });
      await eventually(() => cluster.status().jobs.length === 2, 30_000);
    } finally {
      await cluster.close();
    }
    // Failing paths log and throw Slurm's text: a refused submit in a cluster, a forged token.
    const failing = await JobQueueCluster.create({ backend: slurmRestBackend, job: jobOptions({ queue: "nosuch" }), env, runner, logger, pollIntervalMs: 500, handleSignals: false });
    try {
      await failing.scale({ jobs: 2 });
      await eventually(() => lines.some((l) => /Invalid partition name specified/.test(l)), 30_000);
    } finally {
      await failing.close();
    }
    const forged = `${token?.slice(0, -4)}AAAA`;
    const refused = await JobQueueCluster.create({ backend: slurmRestBackend, job: jobOptions({ token: forged }), env, runner, logger, handleSignals: false }).then(
      () => "created",
      (e: unknown) => (e as Error).message,
    );
    expect(refused).toMatch(/slurmctld does not accept/);
    expect(lines.some((l) => /speaking v0\.0\.38/.test(l))).toBe(true);
    for (const text of [...lines, refused]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(forged);
      expect(text).not.toContain((token as string).split(".")[2]);
    }
  });

  it("a backend that did not submit an array (the watchdog's, after a crash) cancels it with ONE GET jobs and ONE DELETE", async () => {
    const owner = countedBackend(jobOptions());
    const ids = await owner.backend.submit(sleepRequest(owner.backend, owner.spec, 5));
    const arrayJobId = ids[0]?.split("_")[0] as string;
    try {
      const rebuilt = countedBackend(jobOptions());
      await rebuilt.backend.prepare();
      const before = rebuilt.http.calls.length;
      await rebuilt.backend.cancel(ids);
      expect(rebuilt.http.calls.slice(before)).toEqual(["GET /slurm/v0.0.38/jobs", `DELETE /slurm/v0.0.38/job/${arrayJobId}`]);
      await eventually(async () => (await squeue([arrayJobId])).every((row) => / CANCELLED /.test(row)), 30_000);
    } finally {
      await owner.backend.cancel(ids);
    }
  });

  it("the local socket mode (no token; jobs run as the daemon's user), speaking the pinned v0.0.37", async () => {
    const { backend, http, spec } = countedBackend(jobOptions({ url: null, token: null, socket: SLURMREST_SOCKET, "api-version": "v0.0.37" }));
    await backend.prepare();
    const ids = await backend.submit(sleepRequest(backend, spec, 3));
    try {
      expect(ids).toHaveLength(3);
      const report = await backend.status(ids);
      expect([...report.keys()].sort()).toEqual([...ids].sort());
      expect((await squeue([ids[0]?.split("_")[0] as string])).every((row) => row.endsWith(" slurmrest"))).toBe(true);
    } finally {
      await backend.cancel(ids);
    }
    expect(http.calls).toEqual(["GET /openapi", "GET /slurm/v0.0.37/ping", "POST /slurm/v0.0.37/job/submit", "GET /slurm/v0.0.37/jobs", `DELETE /slurm/v0.0.37/job/${ids[0]?.split("_")[0]}`]);
    await eventually(async () => (await backend.status(ids)).size === 0 || [...(await backend.status(ids)).values()].every((s) => s.state === "cancelled"), 30_000);
  });
});
