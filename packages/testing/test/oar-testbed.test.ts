import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SchedulerConnection, SchedulerProcess } from "@daskq/core";
import { eventually, hasDaskPython, makeOarJobDirectory, OAR_TESTBED, oarSampleNames, oarTestbedAvailable, PYTHON, readOarSample, requireService, runOarCommand } from "../src/index.js";

// The testbed's REAL OAR (testbed/oar.sh) and the golden samples captured from it
// (testbed/oar-samples.sh): what the OAR backend will parse, checked here against the live system.

const STATES = ["Waiting", "Hold", "toLaunch", "toError", "toAckReservation", "Launching", "Running", "Suspended", "Resuming", "Finishing", "Terminated", "Error"];

/** One job of `oarstat -J` / `-fJ` output, as the backend will read it. */
type OarJob = Record<string, unknown>;

/** The jobs of an oarstat -J answer, keyed by id; an empty answer (unknown ids only) is no job. */
function jobsOf(stdout: string): Record<string, OarJob> {
  return stdout.trim() === "" ? {} : (JSON.parse(stdout) as Record<string, OarJob>);
}

/** The fields the OAR backend needs, with their types; `full` for `oarstat -f` (exit_code, events). */
function expectJobShape(job: OarJob, full: boolean): void {
  expect(job["Job_Id"]).toEqual(expect.any(Number));
  expect(STATES).toContain(job["state"]);
  expect(job["array_id"]).toEqual(expect.any(Number));
  expect(job["array_index"]).toEqual(expect.any(Number));
  expect(job["name"] === null || typeof job["name"] === "string").toBe(true);
  expect(job["stdout_file"]).toEqual(expect.any(String));
  expect(job["stderr_file"]).toEqual(expect.any(String));
  expect(job["launchingDirectory"]).toEqual(expect.any(String));
  expect(job["owner"]).toEqual(expect.any(String));
  if (full) {
    expect(job["exit_code"] === null || typeof job["exit_code"] === "number").toBe(true);
    expect(job["events"]).toEqual(expect.any(Array));
  }
}

/** The ids of an oarsub answer (`OAR_JOB_ID=N` lines) and the array id (`OAR_ARRAY_ID=N`, arrays only). */
function submitted(stdout: string): { ids: number[]; arrayId: number | undefined } {
  const ids = [...stdout.matchAll(/^OAR_JOB_ID=(\d+)$/gm)].map((m) => Number(m[1]));
  const array = /^OAR_ARRAY_ID=(\d+)$/m.exec(stdout);
  return { ids, arrayId: array ? Number(array[1]) : undefined };
}

function sampleJobs(name: string): OarJob[] {
  return Object.values(jobsOf(readOarSample(name).stdout));
}

function eventTypes(job: OarJob): string[] {
  return (job["events"] as { type: string }[]).map((e) => e.type);
}

describe("golden samples of the real OAR 2.5.9", () => {
  it("are labelled with the command, the user, OAR's version and the date of capture", () => {
    const names = oarSampleNames();
    expect(names.length).toBeGreaterThanOrEqual(20);
    for (const name of names) {
      const sample = readOarSample(name);
      expect(sample.labels["oar"], name).toMatch(/^2\.5\.9 \(Canicule\), Debian package oar-server 2\.5\.9-/);
      expect(sample.labels["captured"], name).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ on the daskq testbed/);
      expect(sample.labels["as"], name).toMatch(/^daskq-oar /);
      expect(sample.command, name).toMatch(/^(oarsub|oarstat|oardel|for f in OAR)/);
    }
  });

  it("oarsub prints OAR_JOB_ID=N, one per job of an array, then OAR_ARRAY_ID", () => {
    const single = readOarSample("oarsub");
    expect(single.exitStatus).toBe(0);
    expect(submitted(single.stdout).ids).toHaveLength(1);
    expect(submitted(single.stdout).arrayId).toBeUndefined();
    const array = readOarSample("oarsub-array");
    const { ids, arrayId } = submitted(array.stdout);
    expect(ids).toHaveLength(3);
    expect(arrayId).toBe(ids[0]);
    expect(array.stderr).toContain("Simple array job submission is used");
  });

  it("oarstat -J/-fJ shows every state with the fields the backend needs", () => {
    const expected: Record<string, string> = {
      "oarstat-fJ-running": "Running",
      "oarstat-fJ-waiting": "Waiting",
      "oarstat-fJ-terminated": "Terminated",
      "oarstat-fJ-terminated-exit-3": "Terminated",
      "oarstat-fJ-error": "Error",
      "oarstat-fJ-deleted-waiting": "Error",
      "oarstat-fJ-deleted-running": "Error",
    };
    for (const [name, state] of Object.entries(expected)) {
      const [job, ...rest] = sampleJobs(name);
      expect(rest, name).toEqual([]);
      expectJobShape(job as OarJob, true);
      expect((job as OarJob)["state"], name).toBe(state);
    }
    for (const job of sampleJobs("oarstat-J-running")) expectJobShape(job, false);
    // exit_code is the wait status (exit 3 -> 768), only in -f output.
    expect(sampleJobs("oarstat-J-running")[0]).not.toHaveProperty("exit_code");
    expect(sampleJobs("oarstat-fJ-terminated")[0]?.["exit_code"]).toBe(0);
    expect(sampleJobs("oarstat-fJ-terminated-exit-3")[0]?.["exit_code"]).toBe(3 * 256);
    expect(eventTypes(sampleJobs("oarstat-fJ-error")[0] as OarJob)).toContain("WORKING_DIRECTORY");
    expect(eventTypes(sampleJobs("oarstat-fJ-deleted-waiting")[0] as OarJob)).toContain("FRAG_JOB_REQUEST");
    // One poll for many ids: unknown ids are simply absent; an answer with none is empty.
    expect(sampleJobs("oarstat-fJ-poll").map((j) => j["state"]).sort()).toEqual(["Running", "Terminated", "Waiting"]);
    expect(readOarSample("oarstat-J-unknown")).toMatchObject({ exitStatus: 0, stdout: "" });
    const array = sampleJobs("oarstat-fJ-array");
    expect(new Set(array.map((j) => j["array_id"])).size).toBe(1);
    expect(array.map((j) => j["array_index"]).sort()).toEqual([1, 2, 3]);
    expect(sampleJobs("oarstat-J-array")).toHaveLength(3);
  });

  it("oardel: REGISTERED and 0 for a job, 1 for an unknown id, 6 for a job already killed", () => {
    expect(readOarSample("oardel")).toMatchObject({ exitStatus: 0, stdout: expect.stringMatching(/will be deleted in the near future/) });
    expect(readOarSample("oardel-finished")).toMatchObject({ exitStatus: 0, stdout: expect.stringMatching(/REGISTERED/) });
    expect(readOarSample("oardel-unknown")).toMatchObject({ exitStatus: 1, stderr: expect.stringMatching(/^Cannot frag 99999999 ; You are not the right user\./) });
    expect(readOarSample("oardel-again")).toMatchObject({ exitStatus: 6, stderr: expect.stringMatching(/This job was already killed/) });
  });

  it("job output goes to OAR.<id>.stdout, OAR.<name>.<id>.stdout when named, or what -O/-E say", () => {
    const listing = readOarSample("job-output").stdout;
    expect(listing).toMatch(/^== OAR\.\d+\.stdout$/m);
    expect(listing).toMatch(/^== OAR\.daskq-array\.\d+\.stdout\nindex=1 array=\d+ job=\d+$/m);
    expect(listing).toMatch(/^== OAR\.daskq-exit-3\.\d+\.stderr\nerr$/m);
    expect(listing).toMatch(/^== daskq-worker\.\d+\.out\nto-stdout$/m);
  });
});

const available = requireService("the real OAR (Almighty and an Alive node)", oarTestbedAvailable(), OAR_TESTBED.howToStart);

describe.runIf(available)("the testbed's real OAR", () => {
  let dir = "";
  const submittedIds: number[] = [];
  const oar = (commandLine: string) => runOarCommand(commandLine, dir);
  const oarsub = async (commandLine: string) => {
    const result = await oar(commandLine);
    expect(result.exitCode, result.stderr).toBe(0);
    const answer = submitted(result.stdout);
    submittedIds.push(...answer.ids);
    return answer;
  };
  const status = async (ids: readonly number[]) => {
    const result = await oar(`oarstat -fJ ${ids.map((id) => `-j ${id}`).join(" ")}`);
    expect(result.exitCode, result.stderr).toBe(0);
    return jobsOf(result.stdout);
  };
  const reaches = (id: number, states: readonly string[], timeoutMs = 90_000) =>
    eventually(async () => states.includes(String((await status([id]))[String(id)]?.["state"])), timeoutMs, 300);

  beforeAll(async () => {
    dir = await makeOarJobDirectory();
  });
  afterAll(async () => {
    if (submittedIds.length > 0) await oar(`oardel ${submittedIds.join(" ")}`);
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("runs a job: Running with the golden fields, its stdout in OAR.<id>.stdout, then Terminated with exit_code 0", async () => {
    const { ids: [id] } = await oarsub("oarsub -l /core=1,walltime=0:05:00 'echo hello from $OAR_JOB_ID; sleep 3'");
    expect(id).toEqual(expect.any(Number));
    expect(await reaches(id as number, ["Running"])).toBe(true);
    const running = (await status([id as number]))[String(id)] as OarJob;
    expectJobShape(running, true);
    expect(running).toMatchObject({ state: "Running", owner: OAR_TESTBED.user, launchingDirectory: dir, stdout_file: `OAR.${id}.stdout`, stderr_file: `OAR.${id}.stderr`, exit_code: null });
    expect(Object.keys(running).sort()).toEqual(Object.keys(sampleJobs("oarstat-fJ-running")[0] as OarJob).sort());
    expect(await reaches(id as number, ["Terminated", "Error"])).toBe(true);
    expect((await status([id as number]))[String(id)]).toMatchObject({ state: "Terminated", exit_code: 0 });
    expect(await readFile(join(dir, `OAR.${id}.stdout`), "utf8")).toBe(`hello from ${id}\n`);
  }, 200_000);

  it("--array 3 is three jobs with one array id and indexes 1..3, each with its own output", async () => {
    const { ids, arrayId } = await oarsub("oarsub --array 3 -n daskq-array -l /core=1,walltime=0:05:00 'echo index=$OAR_ARRAY_INDEX'");
    expect(ids).toHaveLength(3);
    expect(arrayId).toBe(ids[0]);
    const listed = jobsOf((await oar(`oarstat -J --array ${arrayId}`)).stdout);
    expect(Object.keys(listed).map(Number).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await reaches(id, ["Terminated", "Error"])).toBe(true);
    const jobs = await status(ids);
    for (const [i, id] of ids.entries()) {
      const job = jobs[String(id)] as OarJob;
      expectJobShape(job, true);
      expect(job).toMatchObject({ state: "Terminated", array_id: arrayId, array_index: i + 1, name: "daskq-array", stdout_file: `OAR.daskq-array.${id}.stdout`, exit_code: 0 });
      expect(await readFile(join(dir, `OAR.daskq-array.${id}.stdout`), "utf8")).toBe(`index=${i + 1}\n`);
    }
  }, 200_000);

  it("waits in the disabled queue; oardel turns the waiting job into Error; a second oardel exits 6", async () => {
    const { ids: [id] } = await oarsub(`oarsub -q ${OAR_TESTBED.waitingQueue} -n daskq-waiting -l /core=1,walltime=0:05:00 'sleep 60'`);
    await new Promise((r) => setTimeout(r, 2_000));
    const waiting = (await status([id as number]))[String(id)] as OarJob;
    expect(waiting).toMatchObject({ state: "Waiting", name: "daskq-waiting", queue: OAR_TESTBED.waitingQueue, exit_code: null });
    expect(Object.keys(waiting).sort()).toEqual(Object.keys(sampleJobs("oarstat-fJ-waiting")[0] as OarJob).sort());
    const deleted = await oar(`oardel ${id}`);
    expect(deleted).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`Deleting the job = ${id} ...REGISTERED.`) });
    expect(await reaches(id as number, ["Error"])).toBe(true);
    expect(eventTypes((await status([id as number]))[String(id)] as OarJob)).toContain("FRAG_JOB_REQUEST");
    expect(await oar(`oardel ${id}`)).toMatchObject({ exitCode: 6, stderr: expect.stringContaining("This job was already killed") });
  }, 200_000);

  it("a failing command is Terminated with its wait status; a job that cannot start is Error with the reason", async () => {
    const { ids: [failing] } = await oarsub("oarsub -n daskq-exit-3 -l /core=1,walltime=0:05:00 'echo out; echo err >&2; exit 3'");
    const { ids: [unstartable] } = await oarsub("oarsub -d /nonexistent/daskq -l /core=1,walltime=0:05:00 true");
    expect(await reaches(failing as number, ["Terminated", "Error"])).toBe(true);
    expect(await reaches(unstartable as number, ["Terminated", "Error"])).toBe(true);
    const jobs = await status([failing as number, unstartable as number]);
    expect(jobs[String(failing)]).toMatchObject({ state: "Terminated", exit_code: 768, stderr_file: `OAR.daskq-exit-3.${failing}.stderr` });
    expect(await readFile(join(dir, `OAR.daskq-exit-3.${failing}.stderr`), "utf8")).toBe("err\n");
    const error = jobs[String(unstartable)] as OarJob;
    expect(error).toMatchObject({ state: "Error", exit_code: null });
    expect(JSON.stringify(error["events"])).toContain("Cannot go into the working directory /nonexistent/daskq");
  }, 200_000);

  it("one oarstat -fJ answers for many ids, leaving out unknown ones; oardel of an unknown id exits 1", async () => {
    const { ids } = await oarsub(`oarsub --array 2 -q ${OAR_TESTBED.waitingQueue} -l /core=1,walltime=0:05:00 'sleep 60'`);
    const jobs = await status([...ids, 99_999_999]);
    expect(Object.keys(jobs).map(Number).sort()).toEqual([...ids].sort());
    expect(await oar("oarstat -J -j 99999999")).toMatchObject({ exitCode: 0, stdout: "" });
    expect(await oar("oardel 99999999")).toMatchObject({ exitCode: 1, stderr: expect.stringContaining("Cannot frag 99999999 ; You are not the right user.") });
    expect(await oar(`oardel ${ids.join(" ")}`)).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(`The job(s) [ ${ids.join(" ")} ] will be deleted in the near future.`) });
  }, 120_000);

  it.runIf(hasDaskPython())("runs a real Dask worker as an OAR job: it registers with the scheduler and leaves on oardel", async () => {
    const scheduler = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
    const connection = new SchedulerConnection(scheduler.address);
    try {
      const worker = `${PYTHON} -m distributed.cli.dask_worker ${scheduler.address} --name oar-$OAR_JOB_ID --nthreads 1 --no-dashboard --death-timeout 60 --host 127.0.0.1`;
      const { ids: [id] } = await oarsub(`oarsub -n daskq-worker -l /core=1,walltime=0:05:00 '${worker}'`);
      const names = async () => (await connection.identity()).workers.map((w) => w.name);
      expect(await eventually(async () => (await names()).includes(`oar-${id}`), 120_000, 500)).toBe(true);
      expect((await status([id as number]))[String(id)]).toMatchObject({ state: "Running" });
      expect((await oar(`oardel ${id}`)).exitCode).toBe(0);
      expect(await eventually(async () => (await names()).length === 0, 90_000, 500)).toBe(true);
      expect(await reaches(id as number, ["Terminated", "Error"])).toBe(true);
    } finally {
      connection.close();
      await scheduler.stop();
    }
  }, 300_000);
});
