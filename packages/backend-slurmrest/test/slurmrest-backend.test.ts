import { renderJobScript, silentLogger, workerLaunch, type SubmitRequest } from "@daskq/core";
import { FakeRunner, testJobSpec } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { SlurmRestBackend, JOB_PATH } from "../src/slurmrest-backend.js";
import { SlurmRestClient } from "../src/slurmrest-client.js";
import { readSlurmRestOptions, type SlurmRestOptions } from "../src/slurmrest-options.js";
import { FakeTransport, META, json, makeToken } from "./helpers.js";

const OUT = "/home/u/.daskq/clusters/daskq-1/logs";
const token = makeToken({ sun: "alice", exp: Date.now() / 1000 + 3600 });

function setup(values: Record<string, unknown> = {}) {
  const transport = new FakeTransport()
    .on("POST", /job\/submit$/, () => json({ meta: META, errors: [], job_id: 700, step_id: "BATCH" }))
    .on("DELETE", /\/job\//, () => json({ meta: META, errors: [] }))
    .on("GET", /\/jobs$/, () => json({ meta: META, errors: [], jobs: [{ job_id: 700, array_job_id: 700, array_task_id: null, array_task_string: "0-199", job_state: "PENDING", state_reason: "Priority" }] }));
  const runner = new FakeRunner();
  const makeClient = (o: SlurmRestOptions) => new SlurmRestClient(transport, o.auth, o.apiVersion);
  const backend = new SlurmRestBackend({ url: "http://fake:6820", token, ...values }, runner, makeClient, silentLogger);
  return { transport, runner, backend };
}

function request(backend: SlurmRestBackend, count: number, extra: Partial<SubmitRequest> = {}): SubmitRequest {
  const spec = testJobSpec({ logDirectory: undefined });
  const worker = workerLaunch(spec, "tcp://10.0.0.1:8786", count > 1 ? { kind: "array", base: "dask-worker" } : { kind: "fixed", name: "dask-worker" });
  return { spec, worker, count, outputDirectory: OUT, script: renderJobScript(backend, spec, worker, OUT), ...extra };
}

describe("SlurmRestBackend", () => {
  it("submits n jobs as ONE array request with the header's job properties", async () => {
    const { transport, runner, backend } = setup();
    const ids = await backend.submit(request(backend, 32));
    expect(ids).toEqual(Array.from({ length: 32 }, (_, i) => `700_${i}`));
    const posts = transport.requests.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(1);
    const body = JSON.parse(posts[0]?.body ?? "");
    expect(body.script).toContain("#SBATCH --cpus-per-task=8");
    expect(body.job).toEqual({
      name: "dask-worker",
      partition: "q",
      account: "p",
      tasks: 1,
      nodes: [1, 1],
      cpus_per_task: 8,
      memory_per_node: 15360,
      time_limit: 60,
      standard_output: `${OUT}/%x-%A_%a.out`,
      environment: { PATH: JOB_PATH },
      current_working_directory: OUT,
      array: "0-31",
    });
    expect(runner.calls.map((c) => [c.command, ...c.args].join(" "))).toEqual([`mkdir -p -- ${OUT}`]);
    await backend.submit(request(backend, 1));
    expect(runner.calls).toHaveLength(1);
    expect(JSON.parse(transport.requests.at(-1)?.body ?? "").job.array).toBeUndefined();
  });

  it("limits running tasks with array-max-running or the request's limit", async () => {
    const { transport, backend } = setup({ "array-max-running": 4 });
    await backend.submit(request(backend, 8));
    await backend.submit(request(backend, 8, { maxRunning: 2 }));
    const arrays = transport.requests.filter((r) => r.method === "POST").map((r) => JSON.parse(r.body ?? "").job.array);
    expect(arrays).toEqual(["0-7%4", "0-7%2"]);
  });

  it("refuses an array with arrays: false, before any request", async () => {
    const { transport, backend } = setup({ arrays: false });
    expect(backend.capabilities.arrays).toBe(false);
    await expect(backend.submit({ ...request(backend, 1), count: 2 })).rejects.toThrow(/arrays are switched off \(jobqueue.slurmrest.arrays: false\)/);
    expect(transport.requests).toEqual([]);
  });

  it("an expired token fails prepare() without a single request", async () => {
    const { transport, backend } = setup({ token: makeToken({ sun: "alice", exp: 1000 }) });
    await expect(backend.prepare()).rejects.toThrow(/the JWT for user alice expired at 1970-01-01T00:16:40.000Z/);
    await expect(backend.submit(request(backend, 2))).rejects.toThrow(/expired/);
    expect(transport.requests).toEqual([]);
  });

  it("a poll of 200 tasks is ONE request; ids that are not Slurm's cost none", async () => {
    const { transport, backend } = setup();
    const ids = await backend.submit(request(backend, 200));
    const before = transport.requests.length;
    const report = await backend.status(ids);
    expect(transport.calls().slice(before)).toEqual(["GET /slurm/v0.0.38/jobs"]);
    expect(report.size).toBe(200);
    expect(report.get("700_199")).toEqual({ state: "queued", native: "PENDING", reason: "Priority" });
    expect(await backend.status(["abc"])).toEqual(new Map());
    expect(transport.requests.length).toBe(before + 1);
  });

  it("jobsNamed finds the tasks of a submit whose answer was lost, in ONE request", async () => {
    const { transport, backend } = setup();
    transport.on("GET", /\/jobs$/, () =>
      json({ meta: META, errors: [], jobs: [{ job_id: 700, name: "dask-worker-daskq-0a1b2c3d", array_job_id: 700, array_task_id: null, array_task_string: "0-2", job_state: "PENDING" }] }),
    );
    await backend.prepare();
    const before = transport.requests.length;
    expect(await backend.jobsNamed("dask-worker-daskq-0a1b2c3d")).toEqual([
      { id: "700_0", arrayIndex: 0 },
      { id: "700_1", arrayIndex: 1 },
      { id: "700_2", arrayIndex: 2 },
    ]);
    expect(transport.calls().slice(before)).toEqual(["GET /slurm/v0.0.38/jobs"]);
  });

  it("cancelling all of an array is ONE DELETE; a part goes task by task", async () => {
    const { transport, backend } = setup();
    const ids = await backend.submit(request(backend, 6));
    await backend.cancel(ids.slice(4));
    await backend.cancel(ids.slice(0, 4));
    expect(transport.calls().filter((c) => c.startsWith("DELETE"))).toEqual([
      "DELETE /slurm/v0.0.38/job/700_4",
      "DELETE /slurm/v0.0.38/job/700_5",
      "DELETE /slurm/v0.0.38/job/700",
    ]);
  });

  it("tasks of an array another process submitted: ONE GET jobs, then ONE DELETE when all its live tasks are asked", async () => {
    const { transport, backend } = setup();
    // The watchdog's backend, rebuilt after a crash: it never saw the submit. slurmctld lists 0-199 pending.
    await backend.cancel(Array.from({ length: 200 }, (_, i) => `700_${i}`));
    expect(transport.calls().filter((c) => !c.startsWith("GET /openapi") && !c.endsWith("/ping"))).toEqual(["GET /slurm/v0.0.38/jobs", "DELETE /slurm/v0.0.38/job/700"]);
    const before = transport.requests.length;
    const other = setup();
    await other.backend.cancel(["700_3", "700_4"]);
    expect(other.transport.calls().filter((c) => c.startsWith("DELETE"))).toEqual(["DELETE /slurm/v0.0.38/job/700_3", "DELETE /slurm/v0.0.38/job/700_4"]);
    await backend.cancel(["700_5"]);
    expect(transport.requests.length).toBe(before + 1);
  });

  it("logTail reads the job's own output file through the runner", async () => {
    const { runner, backend } = setup();
    const ids = await backend.submit(request(backend, 2));
    await runner.writeFile(`${OUT}/dask-worker-700_1.out`, "a\nb\nslurmstepd: error: execve(): python3: No such file or directory\n");
    expect(await backend.logTail(ids[1] as string, 2)).toBe("b\nslurmstepd: error: execve(): python3: No such file or directory");
    expect(await backend.logTail(ids[0] as string, 2)).toBeUndefined();
    expect(await backend.logTail("12345", 2)).toBeUndefined();
    backend.adoptJob("12345", { spec: testJobSpec(), outputDirectory: OUT });
    await runner.writeFile(`${OUT}/dask-worker-12345_4294967294.out`, "adopted\n");
    expect(await backend.logTail("12345", 2)).toBe("adopted");
  });
});

describe("options", () => {
  it("are read at prepare(): a backend for a preview or a capability probe needs no server", async () => {
    const backend = new SlurmRestBackend({ arrays: false }, new FakeRunner(), () => {
      throw new Error("no client expected");
    });
    expect(backend.capabilities.arrays).toBe(false);
    expect(backend.script.header(testJobSpec(), { jobName: "w", outputDirectory: OUT })).toContain("#SBATCH --cpus-per-task=8");
    await expect(backend.prepare()).rejects.toThrow("[daskq:config] jobqueue.slurmrest.url: set either url");
  });

  it("need url or socket, a token with url, none with socket", () => {
    expect(() => readSlurmRestOptions({}, {})).toThrow("[daskq:config] jobqueue.slurmrest.url: set either url (slurmrestd over TCP with a JWT, e.g. http://login1:6820) or socket");
    expect(() => readSlurmRestOptions({ url: "http://h:1", socket: "/s" }, {})).toThrow(/socket: set url or socket, not both/);
    expect(() => readSlurmRestOptions({ url: "h:6820", token }, {})).toThrow(/url: expected an http:\/\/ or https:\/\/ URL/);
    expect(() => readSlurmRestOptions({ url: "http://h:1" }, {})).toThrow(/token: slurmrestd over TCP needs a JWT: set token, or SLURM_JWT/);
    expect(() => readSlurmRestOptions({ socket: "/s", token }, {})).toThrow(/token: a token is not used with socket/);
    expect(() => readSlurmRestOptions({ url: "http://h:1", token, "api-version": "38" }, {})).toThrow(/api-version: expected an OpenAPI plugin version such as v0.0.38/);
  });

  it("take the token from SLURM_JWT and the user from the token", () => {
    expect(readSlurmRestOptions({ url: "http://h:1" }, { SLURM_JWT: token }).auth).toEqual({ user: "alice", token });
    expect(readSlurmRestOptions({ url: "http://h:1", user: "bob" }, { SLURM_JWT: token }).auth?.user).toBe("bob");
    expect(readSlurmRestOptions({ socket: "/run/s" }, { SLURM_JWT: token }).auth).toBeUndefined();
  });
});
