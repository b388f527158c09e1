/**
 * Golden tests of the HTCONDOR EMULATOR (packages/testing/emulators/htcondor): its output is pinned
 * to the samples and message formats of HTCondor's manual and sources (samples.ts says where each
 * comes from), and its jobs are real processes that start, end and are killed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { eventually as poll, findProcessesInSessions, startHtcondorEmulator, type HtcondorEmulator } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExact, type ExactResult } from "./exact.js";
import { BATCH_HEADER_SAMPLE, EXEC_HOLD_FORMAT, HOLD_CODE, JOB_STATUS, JSON_EXPR_SAMPLE, PERIODIC_HOLD_FORMAT, SUBMIT_SAMPLE, TERSE_FORMAT, TITLE_FORMAT, TOTALS_SAMPLE } from "./samples.js";

const host = hostname().split(".")[0];

const eventually = async <T>(check: () => Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** One emulated pool with its helpers. */
function pool(options: Parameters<typeof startHtcondorEmulator>[0] = {}) {
  let emulator: HtcondorEmulator;
  const ctx = {
    get work() {
      return emulator.workDir;
    },
    run: (command: string, args: string[], input?: string): Promise<ExactResult> => runExact(emulator.runner, emulator.workDir, command, args, input),
    /** Writes a submit file and submits it; returns the cluster id. */
    async submit(name: string, lines: string[]): Promise<number> {
      writeFileSync(join(emulator.workDir, name), `${lines.join("\n")}\n`);
      const out = await ctx.run("condor_submit", ["-terse", name]);
      const m = TERSE_FORMAT.exec(out.stdout);
      if (!m) throw new Error(`condor_submit failed: ${out.stdout}${out.stderr}`);
      return Number(m[1]);
    },
    async af(tool: string, args: string[]): Promise<string> {
      return (await ctx.run(tool, args)).stdout;
    },
  };
  beforeAll(async () => {
    emulator = await startHtcondorEmulator(options);
  });
  afterAll(async () => {
    await emulator?.dispose();
  });
  return ctx;
}

describe("HTCondor emulator: condor_submit against the documented output", () => {
  const p = pool();

  it("prints `Submitting job(s).` and `1 job(s) submitted to cluster C.` like the Quick Start Guide sample", async () => {
    writeFileSync(join(p.work, "sleep.sub"), "executable = /bin/true\nqueue\n");
    const out = await p.run("condor_submit", ["sleep.sub"]);
    expect(out.exitCode).toBe(0);
    const cluster = /cluster (\d+)\./.exec(out.stdout)?.[1];
    expect(out.stdout).toBe(SUBMIT_SAMPLE.replace("cluster 6.", `cluster ${cluster}.`));
    // Since HTCondor 25 a hint follows on stderr (submit.cpp): it is not part of the parsed output.
    expect(out.stderr).toBe(`To monitor your job(s), run: condor_watch_q -clusters ${cluster}\n`);
  });

  it("`queue 3` is one cluster of 3 procs: three dots, `3 job(s) submitted to cluster C.`; -terse prints `C.0 - C.2`", async () => {
    writeFileSync(join(p.work, "three.sub"), "executable = /bin/true\nqueue 3\n");
    const out = await p.run("condor_submit", ["three.sub"]);
    expect(out.stdout).toMatch(/^Submitting job\(s\)\.\.\.\n3 job\(s\) submitted to cluster (\d+)\.\n$/);
    const terse = await p.run("condor_submit", ["-terse", "three.sub"]);
    expect(terse).toMatchObject({ exitCode: 0, stderr: "" });
    const m = TERSE_FORMAT.exec(terse.stdout);
    expect(m?.[2]).toBe("2");
    expect(Number(m?.[1])).toBe(Number(/cluster (\d+)/.exec(out.stdout)?.[1]) + 1);
  });

  it("refuses malformed descriptions with condor_submit's messages (exit 1), and queues nothing", async () => {
    const write = (name: string, text: string) => writeFileSync(join(p.work, name), text);
    write("noexe.sub", "arguments = 1\nqueue\n");
    write("missing.sub", "executable = /nonexistent/worker.sh\nqueue\n");
    write("noqueue.sub", "executable = /bin/true\n");
    write("garbage.sub", "executable = /bin/true\nthis is not a command\nqueue\n");
    const before = await p.af("condor_q", ["-af", "ClusterId"]);
    // submit_utils.cpp: push_error "No '%s' parameter was provided"; submit.cpp: check_file "Can't access executable file %s: %s",
    // "\"%s\" doesn't contain any \"queue\" commands -- no jobs queued", "Failed to open command file (%s) (%s)".
    expect(await p.run("condor_submit", ["noexe.sub"])).toEqual({ exitCode: 1, stdout: "Submitting job(s)", stderr: "\nERROR: No 'executable' parameter was provided\n" });
    expect(await p.run("condor_submit", ["missing.sub"])).toEqual({
      exitCode: 1,
      stdout: "Submitting job(s)",
      stderr: "\nERROR: Can't access executable file /nonexistent/worker.sh: No such file or directory\n",
    });
    expect(await p.run("condor_submit", ["noqueue.sub"])).toEqual({
      exitCode: 1,
      stdout: "Submitting job(s)",
      stderr: '\nERROR: "noqueue.sub" doesn\'t contain any "queue" commands -- no jobs queued\n',
    });
    const garbage = await p.run("condor_submit", ["garbage.sub"]);
    expect(garbage.exitCode).toBe(1);
    expect(garbage.stderr).toMatch(/Line 2: cannot parse: this is not a command\n\nERROR: Failed to parse command file \(line 2\)\.\n$/);
    expect(await p.run("condor_submit", ["nosuch.sub"])).toEqual({ exitCode: 1, stdout: "", stderr: "\nERROR: Failed to open command file (nosuch.sub) (No such file or directory)\n" });
    expect(await p.af("condor_q", ["-af", "ClusterId"])).toBe(before);
  });

  it("reads the description dask-jobqueue writes: MY.* attributes, Request* expressions, $F(MY.JobId), new-syntax Arguments", async () => {
    // dask_jobqueue/htcondor.py (dask/dask-jobqueue): job_header_dict and the script template, with its shebang line.
    const cluster = await p.submit("dask.sub", [
      "#!/usr/bin/env bash",
      "",
      'MY.DaskWorkerName = "htcondor--$F(MY.JobId)--"',
      "RequestCpus = MY.DaskWorkerCores",
      "RequestMemory = floor(MY.DaskWorkerMemory / 1048576)",
      "RequestDisk = floor(MY.DaskWorkerDisk / 1024)",
      'MY.JobId = "$(ClusterId).$(ProcId)"',
      "MY.DaskWorkerCores = 2",
      "MY.DaskWorkerMemory = 4000000000",
      "MY.DaskWorkerDisk = 1000000000",
      "LogDirectory = logs",
      "Output = $(LogDirectory)/worker-$F(MY.JobId).out",
      "Error = $(LogDirectory)/worker-$F(MY.JobId).err",
      "Log = $(LogDirectory)/worker-$(ClusterId).log",
      "Stream_Output = True",
      "Stream_Error = True",
      "+JobBatchName = \"daskq-golden\"",
      "",
      `Arguments = "-c 'echo ''quoted'' ""double"" $0; echo err >&2; exit 7'"`,
      "Executable = /bin/sh",
      "",
      "Queue",
    ].map((l) => l.replace("logs", join(p.work))));
    const row = await eventually(async () => {
      const out = await p.af("condor_history", ["-af", "ProcId", "JobStatus", "ExitCode", "DaskWorkerName", "RequestCpus", "RequestMemory", "RequestDisk", "JobBatchName", "-constraint", `ClusterId == ${cluster}`]);
      return out === "" ? undefined : out;
    });
    expect(row).toBe(`0 4 7 htcondor--${cluster}.0-- 2 3814 976562 daskq-golden\n`);
    // The new syntax made `echo 'quoted' "double" $0; ...` one argument of /bin/sh -c.
    // A transferred executable runs as condor_exec.exe (why dask-jobqueue goes through /bin/sh).
    expect(readFileSync(join(p.work, `worker-${cluster}.0.out`), "utf8")).toBe("quoted double condor_exec.exe\n");
    expect(readFileSync(join(p.work, `worker-${cluster}.0.err`), "utf8")).toBe("err\n");
    const log = readFileSync(join(p.work, `worker-${cluster}.log`), "utf8");
    const id = `${String(cluster).padStart(3, "0")}.000.000`;
    // The job event log's events (docs/users-manual/quick-start-guide.rst, "At job completion, the log file contains").
    expect(log).toMatch(new RegExp(`^000 \\(${id}\\) \\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d Job submitted from host: <[^>]+>\\n\\.\\.\\.\\n001 \\(${id}\\) .* Job executing on host: <[^>]+>\\n\\.\\.\\.\\n005 \\(${id}\\) .* Job terminated\\.\\n\\t\\(1\\) Normal termination \\(return value 7\\)\\n\\.\\.\\.\\n$`));
  });
});

describe("HTCondor emulator: condor_q, condor_history and JobStatus 1-5 (one slot)", () => {
  const p = pool({ slots: 1, memoryMb: 4096 });
  let running: number;
  let idle: number;
  let big: number;

  beforeAll(async () => {
    running = await p.submit("run.sub", ["executable = /bin/sleep", "arguments = 300", "batch_name = golden-run", "queue"]);
    idle = await p.submit("idle.sub", ["executable = /bin/sleep", "arguments = 300", "batch_name = golden-idle", "queue 2"]);
    big = await p.submit("big.sub", ["executable = /bin/sleep", "arguments = 300", "request_memory = 8 GB", "queue"]);
  });

  it("the first job runs (2) on the only slot; the others stay idle (1), and a request above the machine stays idle", async () => {
    const out = await eventually(async () => {
      const text = await p.af("condor_q", ["-af", "ClusterId", "ProcId", "JobStatus", "HoldReason", "ExitCode"]);
      return text.startsWith(`${running} 0 ${JOB_STATUS.Running}`) ? text : undefined;
    });
    expect(out).toBe(
      [`${running} 0 2 undefined undefined`, `${idle} 0 1 undefined undefined`, `${idle} 1 1 undefined undefined`, `${big} 0 1 undefined undefined`, ""].join("\n"),
    );
    expect(await p.af("condor_q", ["-af", "RequestMemory", "-constraint", `ClusterId == ${big}`])).toBe("8192\n");
  });

  it("constraints: JobBatchName == \"x\", ClusterId == n, &&, and ids C and C.P", async () => {
    expect(await p.af("condor_q", ["-constraint", 'JobBatchName == "golden-idle"', "-af", "ProcId"])).toBe("0\n1\n");
    // ClassAd `==` on strings ignores case; =?= does not.
    expect(await p.af("condor_q", ["-constraint", 'JobBatchName == "GOLDEN-IDLE" && ProcId == 1', "-af:j", "JobStatus"])).toBe(`${idle}.1 1\n`);
    expect(await p.af("condor_q", ["-constraint", 'JobBatchName =?= "GOLDEN-IDLE"', "-af", "ProcId"])).toBe("");
    expect(await p.af("condor_q", [`${idle}.1`, "-af", "ProcId"])).toBe("1\n");
    expect(await p.af("condor_q", [String(idle), "-af", "ProcId"])).toBe("0\n1\n");
    expect(await p.af("condor_q", ["-allusers", "-constraint", `ClusterId == ${running}`, "-af", "JobBatchName"])).toBe("golden-run\n");
    // Unknown ids match nothing: no output, exit 0.
    expect(await p.run("condor_q", ["999999", "-af", "ProcId"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(await p.run("condor_q", ["999999", "-json"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  it("-json has CondorClassAdListWriter's layout: [ ads ], sorted attributes, 2-space indentation, expressions as \\/Expr()\\/", async () => {
    writeFileSync(join(p.work, "expr.sub"), "executable = /bin/true\nhold = true\nMY.Mem = 2 * 1024\nrequest_cpus = MY.Cores\n+Cores = 3\nqueue 2\n");
    const cluster = Number(TERSE_FORMAT.exec((await p.run("condor_submit", ["-terse", "expr.sub"])).stdout)?.[1]);
    const out = await p.run("condor_q", [String(cluster), "-json", "-attributes", "ClusterId,ProcId,JobStatus,Mem,RequestCpus,HoldReasonCode,Cores"]);
    expect(out.stdout).toBe(
      [
        "[",
        "{",
        `  "ClusterId": ${cluster},`,
        '  "Cores": 3,',
        `  "HoldReasonCode": ${HOLD_CODE.SubmittedOnHold},`,
        `  "JobStatus": ${JOB_STATUS.Held},`,
        '  "Mem": "\\/Expr(2 * 1024)\\/",',
        '  "ProcId": 0,',
        '  "RequestCpus": "\\/Expr(MY.Cores)\\/"',
        "}",
        ",",
        "{",
        `  "ClusterId": ${cluster},`,
        '  "Cores": 3,',
        `  "HoldReasonCode": ${HOLD_CODE.SubmittedOnHold},`,
        `  "JobStatus": ${JOB_STATUS.Held},`,
        '  "Mem": "\\/Expr(2 * 1024)\\/",',
        '  "ProcId": 1,',
        '  "RequestCpus": "\\/Expr(MY.Cores)\\/"',
        "}",
        "]",
        "",
      ].join("\n"),
    );
    // The same "Name": "\/Expr(...)\/" form as a real condor_q -json attribute.
    expect(JSON_EXPR_SAMPLE).toMatch(/^"\w+": "\\\/Expr\(.*\)\\\/"$/);
    expect(out.stdout).toMatch(/^ {2}"RequestCpus": "\\\/Expr\(MY\.Cores\)\\\/"$/m);
    // -af evaluates expressions.
    expect(await p.af("condor_q", [`${cluster}.0`, "-af", "Mem", "RequestCpus", "HoldReason"])).toBe("2048 3 submitted on hold at user's request\n");
    // And -json parses as JSON.
    const ads = JSON.parse((await p.run("condor_q", [String(cluster), "-json"])).stdout) as Array<Record<string, unknown>>;
    expect(ads.map((ad) => ad["ProcId"])).toEqual([0, 1]);
    expect(ads[0]).toMatchObject({ Cmd: "/bin/true", JobStatus: 5, Owner: expect.any(String), QDate: expect.any(Number), Iwd: p.work });
  });

  it("the default output and -totals end with the documented `Total for query` / `Total for all users` lines", async () => {
    const totals = await p.run("condor_q", ["-totals"]);
    const lines = totals.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["", ""]);
    expect(lines[2]).toMatch(TITLE_FORMAT);
    const count = (await p.af("condor_q", ["-af", "ProcId"])).split("\n").length - 1;
    const held = (await p.af("condor_q", ["-constraint", "JobStatus == 5", "-af", "ProcId"])).split("\n").length - 1;
    const summary = `${count} jobs; 0 completed, 0 removed, ${count - 1 - held} idle, 1 running, ${held} held, 0 suspended`;
    expect(lines.slice(3)).toEqual([`Total for query: ${summary}`, `Total for all users: ${summary}`, ""]);
    const empty = await p.run("condor_q", ["999999"]);
    expect(empty.stdout.split("\n").slice(3).join("\n")).toBe(`${BATCH_HEADER_SAMPLE}\n\n${TOTALS_SAMPLE.replace("Total for all users: 0 jobs; 0 completed, 0 removed, 0 idle, 0 running, 0 held", `Total for all users: ${count} jobs; 0 completed, 0 removed, ${count - 1 - held} idle, 1 running, ${held} held`)}\n`);
  });

  it("condor_rm of the running job frees the slot: an idle job starts; the removed job is in condor_history with JobStatus 3", async () => {
    // The job runs in its own session (its starter's), as a real process.
    const sid = Number(readFileSync(join(p.work, "..", "state", "queue.json"), "utf8").match(/"pid":(\d+)/)?.[1]);
    expect((await findProcessesInSessions([sid])).map((proc) => proc.command)).toContain("condor_exec.exe 300");
    expect(await p.run("condor_rm", [`${running}.0`])).toEqual({ exitCode: 0, stdout: `Job ${running}.0 marked for removal\n`, stderr: "" });
    // Removing (3) until its processes are gone.
    await eventually(async () => ((await p.af("condor_history", [`${running}.0`, "-af", "JobStatus"])) === "3\n" ? true : undefined));
    expect(await poll(async () => (await findProcessesInSessions([sid])).length === 0, 10_000)).toBe(true);
    await eventually(async () => ((await p.af("condor_q", [`${idle}.0`, "-af", "JobStatus"])) === "2\n" ? true : undefined));
    expect(await p.af("condor_history", [`${running}.0`, "-af", "RemoveReason"])).toMatch(/^via condor_rm \(by user \S+\)\n$/);
    // Again: it has left the queue.
    expect(await p.run("condor_rm", [`${running}.0`])).toEqual({ exitCode: 1, stdout: "", stderr: `\nJob ${running}.0 not found\n` });
  });

  it("condor_rm by cluster and by -constraint, with rm.cpp's messages; unknown clusters and ids are errors", async () => {
    expect(await p.run("condor_rm", [String(idle)])).toEqual({ exitCode: 0, stdout: `All jobs in cluster ${idle} have been marked for removal\n`, stderr: "" });
    expect(await p.run("condor_rm", ["-constraint", `ClusterId == ${big} && ProcId == 0`])).toEqual({
      exitCode: 0,
      stdout: `All jobs matching constraint (ClusterId == ${big} && ProcId == 0) have been marked for removal\n`,
      stderr: "",
    });
    expect(await p.run("condor_rm", ["999999"])).toEqual({ exitCode: 1, stdout: "", stderr: "\nCouldn't find/remove all jobs in cluster 999999\n" });
    expect(await p.run("condor_rm", ["999999.0"])).toEqual({ exitCode: 1, stdout: "", stderr: "\nJob 999999.0 not found\n" });
    expect(await p.run("condor_rm", [])).toMatchObject({ exitCode: 1, stdout: "", stderr: expect.stringMatching(/^You did not specify any jobs\n/) });
    await eventually(async () => ((await p.af("condor_history", ["-constraint", `ClusterId == ${idle}`, "-af", "JobStatus"])) === "3\n3\n" ? true : undefined));
  });

  it("condor_history: most recent first, -limit, -constraint, -json; ExitCode for completed jobs (4), none for removed ones (3)", async () => {
    const ok = await p.submit("ok.sub", ["executable = /bin/sh", 'arguments = "-c \'exit 0\'"', "queue"]);
    await p.run("condor_rm", ["-all"]);
    await eventually(async () => ((await p.af("condor_q", ["-af", "ProcId"])) === "" ? true : undefined), 20_000);
    const listed = (await p.af("condor_history", ["-af", "EnteredCurrentStatus", "ClusterId", "ProcId"])).trim().split("\n");
    const times = listed.map((line) => Number(line.split(" ")[0]));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(listed.length).toBeGreaterThanOrEqual(7);
    expect(await p.af("condor_history", ["-limit", "2", "-af", "EnteredCurrentStatus", "ClusterId", "ProcId"])).toBe(`${listed.slice(0, 2).join("\n")}\n`);
    const history = JSON.parse((await p.run("condor_history", ["-constraint", `ClusterId == ${ok} || ClusterId == ${running}`, "-json"])).stdout) as Array<Record<string, unknown>>;
    const byCluster = new Map(history.map((ad) => [ad["ClusterId"], ad]));
    const completed = byCluster.get(ok) ?? {};
    const removed = byCluster.get(running) ?? {};
    // ok.sub may complete before condor_rm -all reaches it (then 4 with ExitCode 0), or be removed (3).
    if (completed["JobStatus"] === JOB_STATUS.Completed) expect(completed).toMatchObject({ ExitCode: 0, ExitBySignal: false });
    else expect(completed["JobStatus"]).toBe(JOB_STATUS.Removing);
    expect(removed["JobStatus"]).toBe(JOB_STATUS.Removing);
    expect(removed).not.toHaveProperty("ExitCode");
    expect(await p.run("condor_history", ["999999", "-af", "JobStatus"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(await p.run("condor_rm", ["5"])).toEqual({ exitCode: 0, stdout: "", stderr: "condor_rm:0:There are no jobs in the queue\n" });
  });
});

describe("HTCondor emulator: held jobs and their HoldReason", () => {
  const p = pool({ systemPeriodicHold: 'JobBatchName == "hold-me"' });

  it("an executable that cannot be started holds the job (HoldReasonCode 6, subcode errno 2) with the starter's message", async () => {
    const cluster = await p.submit("gone.sub", ["executable = /nonexistent/dask-worker", "transfer_executable = false", 'arguments = "--nthreads 1"', "queue"]);
    const out = await eventually(async () => {
      const text = await p.af("condor_q", [`${cluster}.0`, "-af", "JobStatus", "HoldReasonCode", "HoldReasonSubCode", "HoldReason"]);
      return text.startsWith("5 ") ? text : undefined;
    });
    expect(out).toBe(`5 ${HOLD_CODE.FailedToCreateProcess} 2 ${EXEC_HOLD_FORMAT(`slot1_1@${host}`, "/nonexistent/dask-worker", "--nthreads 1")}\n`);
    // It stays held: a backend sees JobStatus 5 and the reason until it removes the job.
    expect(await p.run("condor_rm", [String(cluster)])).toMatchObject({ exitCode: 0, stdout: `All jobs in cluster ${cluster} have been marked for removal\n` });
    expect(await p.af("condor_history", [`${cluster}.0`, "-af", "JobStatus", "HoldReasonCode"])).toBe("3 6\n");
  });

  it("the SYSTEM_PERIODIC_HOLD test hook holds matching jobs (code 26) with HTCondor's reason", async () => {
    const cluster = await p.submit("hook.sub", ["executable = /bin/sleep", "arguments = 300", "batch_name = hold-me", "queue"]);
    const out = await eventually(async () => {
      const text = await p.af("condor_q", [`${cluster}.0`, "-af", "JobStatus", "HoldReasonCode", "HoldReason"]);
      return text.startsWith("5 ") ? text : undefined;
    });
    expect(out).toBe(`5 ${HOLD_CODE.SystemPolicy} ${PERIODIC_HOLD_FORMAT('JobBatchName == "hold-me"')}\n`);
  });

  it("condor_hold and condor_release: `Job C.P held`, `released`, `already held`, `not held to be released`; a held running job's processes end", async () => {
    const cluster = await p.submit("user.sub", ["executable = /bin/sleep", "arguments = 300", "queue"]);
    await eventually(async () => ((await p.af("condor_q", [`${cluster}.0`, "-af", "JobStatus"])) === "2\n" ? true : undefined));
    expect(await p.run("condor_release", [`${cluster}.0`])).toEqual({ exitCode: 1, stdout: "", stderr: `\nJob ${cluster}.0 not held to be released\n` });
    expect(await p.run("condor_hold", [`${cluster}.0`])).toEqual({ exitCode: 0, stdout: `Job ${cluster}.0 held\n`, stderr: "" });
    expect(await p.run("condor_hold", [`${cluster}.0`])).toEqual({ exitCode: 1, stdout: "", stderr: `\nJob ${cluster}.0 already held\n` });
    expect(await p.af("condor_q", [`${cluster}.0`, "-af", "JobStatus", "HoldReasonCode", "HoldReason"])).toMatch(new RegExp(`^5 ${HOLD_CODE.UserRequest} via condor_hold \\(by user \\S+\\)\\n$`));
    expect(await p.run("condor_release", [String(cluster)])).toEqual({ exitCode: 0, stdout: `All jobs in cluster ${cluster} have been released\n`, stderr: "" });
    await eventually(async () => ((await p.af("condor_q", [`${cluster}.0`, "-af", "JobStatus", "NumJobStarts"])) === "2 2\n" ? true : undefined), 20_000);
  });
});
