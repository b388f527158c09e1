import { CommandError, type JobState, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSgeBackend } from "../src/sge-descriptor.js";
import { mapSgeState, parseErrorReasons, parseQstatXml } from "../src/sge-status.js";
import { FakeRunner, jobList, qstatXml } from "./helpers.js";

function setup() {
  const runner = new FakeRunner();
  const warnings: string[] = [];
  const backend = createSgeBackend({ runner, logger: { ...silentLogger, warn: (m) => warnings.push(m) }, clusterId: "daskq-test" });
  return { runner, backend, warnings };
}

/** `qstat -j 4` on SGE 8.1.9 for a job whose working directory does not exist (trimmed). */
const QSTAT_J_ERROR = [
  "==============================================================",
  "job_number:                 4",
  "exec_file:                  job_scripts/4",
  "sge_o_path:                 /usr/bin:/bin",
  "cwd:                        /nonexistent/dir",
  "job_name:                   eqwtest",
  "error reason          1:      11/22/2026 04:14:39 [0:6362]: error: can't chdir to /nonexistent/dir: No such file or directory",
  "scheduling info:            Job is in error state",
  "==============================================================",
  "job_number:                 36",
  "job-array tasks:            1-3:1",
  "error reason          1:      11/22/2026 04:14:39 [0:6433]: error: can't open output file \"/logs/\": Is a directory",
  "error reason          3:      11/22/2026 04:14:39 [0:6474]: error: can't chdir to /gone: No such file or directory",
  "scheduling info:            Job is in error state",
  "",
].join("\n");

describe("Grid Engine states", () => {
  const expected: Record<JobState, string[]> = {
    queued: ["qw", "hqw", "hRwq", "Rq", "hqw"],
    running: ["r", "t", "Rr", "Rt", "dr", "dt", "dRr", "s", "S", "T", "ts", "dS", "Rs", "hr"],
    finished: ["z"],
    failed: ["Eqw", "Ehqw", "EhRqw"],
    cancelled: [],
    lost: [],
  };
  for (const [state, words] of Object.entries(expected)) {
    it(`maps ${words.join(" ") || "nothing"} to ${state}`, () => {
      for (const word of words) expect(mapSgeState(word)?.state, word).toBe(state);
    });
  }

  it("says why: on hold, suspended, deletion requested, error state", () => {
    expect(mapSgeState("qw")).toEqual({ state: "queued" });
    expect(mapSgeState("hqw")).toEqual({ state: "queued", reason: "on hold" });
    expect(mapSgeState("s")).toEqual({ state: "running", reason: "suspended" });
    expect(mapSgeState("dr")).toEqual({ state: "running", reason: "deletion requested" });
    expect(mapSgeState("Eqw")).toEqual({ state: "failed", reason: "job is in the error state (Eqw)" });
  });

  it("knows nothing of other words", () => {
    for (const word of ["", "x", "PENDING", "qw2"]) expect(mapSgeState(word)).toBeUndefined();
  });
});

describe("qstat -xml", () => {
  it("parses jobs, running array tasks one by one and pending tasks as ranges", () => {
    const xml = qstatXml(
      [jobList(1, "r"), jobList(2, "r", "1"), jobList(2, "dr", "4")],
      [jobList(2, "qw", "5"), jobList(3, "qw", "1,4-6:1,8-30:2"), jobList(4, "Eqw"), jobList(5, "hqw", "3,4,6")],
    );
    expect(parseQstatXml(xml)).toEqual([
      { jobId: "1", name: "dask-worker", state: "r", tasks: undefined },
      { jobId: "2", name: "dask-worker", state: "r", tasks: [{ first: 1, last: 1, step: 1 }] },
      { jobId: "2", name: "dask-worker", state: "dr", tasks: [{ first: 4, last: 4, step: 1 }] },
      { jobId: "2", name: "dask-worker", state: "qw", tasks: [{ first: 5, last: 5, step: 1 }] },
      {
        jobId: "3",
        name: "dask-worker",
        state: "qw",
        tasks: [
          { first: 1, last: 1, step: 1 },
          { first: 4, last: 6, step: 1 },
          { first: 8, last: 30, step: 2 },
        ],
      },
      { jobId: "4", name: "dask-worker", state: "Eqw", tasks: undefined },
      { jobId: "5", name: "dask-worker", state: "hqw", tasks: [3, 4, 6].map((t) => ({ first: t, last: t, step: 1 })) },
    ]);
  });

  it("parses the answer with no jobs, and entities in names", () => {
    expect(parseQstatXml(qstatXml([], []))).toEqual([]);
    expect(parseQstatXml(qstatXml([jobList(7, "r", undefined, "a&amp;b &lt;c&gt;")], []))).toEqual([{ jobId: "7", name: "a&b <c>", state: "r", tasks: undefined }]);
  });

  it("refuses output that is not qstat's XML", () => {
    expect(() => parseQstatXml("")).toThrow(/not a qstat -xml answer/);
    expect(() => parseQstatXml("error: commlib error")).toThrow(/not a qstat -xml answer/);
  });
});

describe("status", () => {
  it("asks ONE qstat -xml for all ids and picks jobs and array tasks from it", async () => {
    const { runner, backend } = setup();
    runner.reply("qstat", {
      stdout: qstatXml(
        [jobList(10, "r"), jobList(11, "r", "1"), jobList(11, "t", "2"), jobList(99, "r")],
        [jobList(11, "qw", "3-5:1"), jobList(12, "hqw"), jobList(13, "qw", "1-2:1")],
      ),
    });
    const report = await backend.status(["10", "11.1", "11.2", "11.3", "11.5", "11.6", "12", "14", "13"]);
    expect(runner.calls).toEqual([{ command: "qstat", args: ["-xml"] }]);
    expect(Object.fromEntries(report)).toEqual({
      "10": { state: "running", native: "r" },
      "11.1": { state: "running", native: "r" },
      "11.2": { state: "running", native: "t" },
      "11.3": { state: "queued", native: "qw" },
      "11.5": { state: "queued", native: "qw" },
      "12": { state: "queued", native: "hqw", reason: "on hold" },
    });
    // 11.6 is not in the array's ranges, 14 is not listed, 13 is an array (its tasks are 13.1, 13.2).
    expect(report.has("11.6") || report.has("14") || report.has("13")).toBe(false);
  });

  it("runs nothing for no ids or only malformed ids", async () => {
    const { runner, backend } = setup();
    expect((await backend.status([])).size).toBe(0);
    expect((await backend.status(["abc", "1.0", "3_1", "1.2.3"])).size).toBe(0);
    expect(runner.calls).toEqual([]);
  });

  it("reads Grid Engine's error reason for jobs in an error state, with ONE more call", async () => {
    const { runner, backend } = setup();
    runner.reply("qstat", (call) =>
      call.args[0] === "-xml"
        ? { stdout: qstatXml([jobList(5, "r")], [jobList(4, "Eqw"), jobList(36, "Eqw", "1-3:1")]) }
        : { stdout: QSTAT_J_ERROR },
    );
    const report = await backend.status(["5", "4", "36.1", "36.2", "36.3"]);
    expect(runner.calls.map((c) => c.args)).toEqual([["-xml"], ["-j", "4,36"]]);
    expect(Object.fromEntries(report)).toEqual({
      "5": { state: "running", native: "r" },
      "4": { state: "failed", native: "Eqw", reason: "can't chdir to /nonexistent/dir: No such file or directory" },
      "36.1": { state: "failed", native: "Eqw", reason: 'can\'t open output file "/logs/": Is a directory' },
      "36.2": { state: "failed", native: "Eqw", reason: 'can\'t open output file "/logs/": Is a directory' },
      "36.3": { state: "failed", native: "Eqw", reason: "can't chdir to /gone: No such file or directory" },
    });
  });

  it("keeps the generic error reason when qstat -j says nothing useful", async () => {
    const { runner, backend } = setup();
    runner.reply("qstat", (call) =>
      call.args[0] === "-xml" ? { stdout: qstatXml([], [jobList(4, "Eqw")]) } : { exitCode: 1, stdout: "Following jobs do not exist: \n4\n" },
    );
    expect((await backend.status(["4"])).get("4")).toEqual({ state: "failed", native: "Eqw", reason: "job is in the error state (Eqw)" });
  });

  it("parses error reasons by job and task", () => {
    const reasons = parseErrorReasons(QSTAT_J_ERROR);
    expect([...reasons.keys()]).toEqual(["4", "36"]);
    expect([...(reasons.get("36")?.keys() ?? [])]).toEqual([1, 3]);
  });

  it("throws a CommandError when qstat fails or does not answer in XML", async () => {
    const { runner, backend } = setup();
    runner.reply(
      "qstat",
      { exitCode: 1, stderr: "error: commlib error: got select error (Connection refused)\nerror: unable to send message to qmaster\n" },
      { exitCode: 0, stdout: "" },
    );
    const error = await backend.status(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^\[daskq:sge\] qstat failed \(exit 1\): error: commlib error/);
    await expect(backend.status(["1"])).rejects.toThrow(/^\[daskq:sge\] qstat failed \(exit 0\): not a qstat -xml answer/);
  });

  it("reports an unknown state as queued, with a warning", async () => {
    const { runner, backend, warnings } = setup();
    runner.reply("qstat", { stdout: qstatXml([], [jobList(1, "X")]) });
    expect((await backend.status(["1"])).get("1")).toEqual({ state: "queued", native: "X" });
    expect(warnings.join()).toMatch(/unknown Grid Engine job state X/);
  });
});

describe("jobsNamed", () => {
  it("lists the jobs of ONE name from ONE qstat -xml, array tasks one by one", async () => {
    const runner = new FakeRunner().reply("qstat", {
      stdout: qstatXml(
        [jobList(10, "r", undefined, "dask-worker-daskq-ab12"), jobList(11, "r", "2", "dask-worker-daskq-ab12"), jobList(12, "r", undefined, "other")],
        [jobList(11, "qw", "3-5:2", "dask-worker-daskq-ab12")],
      ),
    });
    const backend = createSgeBackend({ runner, logger: silentLogger, clusterId: "daskq-test" });
    expect(await backend.jobsNamed?.("dask-worker-daskq-ab12")).toEqual([
      { id: "10" },
      { id: "11.2", arrayIndex: 2 },
      { id: "11.3", arrayIndex: 3 },
      { id: "11.5", arrayIndex: 5 },
    ]);
    expect(runner.calls.map((c) => [c.command, ...c.args])).toEqual([["qstat", "-xml"]]);
  });
});
