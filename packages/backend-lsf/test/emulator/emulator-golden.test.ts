/**
 * The LSF EMULATOR's output, pinned to samples of the real LSF's output. Each test quotes its source.
 * Where LSF's behaviour is not documented the emulator's choice is stated in its README; such
 * outputs are not pinned here.
 */
import { createLsfEmulatorCluster, lsfEmulatorRunner } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExact, type ExactResult } from "./exact.js";

describe("LSF emulator: documented output formats", () => {
  let cluster: Awaited<ReturnType<typeof createLsfEmulatorCluster>>;
  let run: (command: string, args: string[], input?: string) => Promise<ExactResult>;

  beforeAll(async () => {
    cluster = await createLsfEmulatorCluster({}, { DASKQ_LSF_EMULATOR_QUEUES: "normal short", DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL: "0.5" });
    const runner = lsfEmulatorRunner(cluster);
    run = (command, args, input) => runExact(runner, command, args, input);
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  const held = async (args: string[] = []) => {
    const out = await run("bsub", ["-H", ...args], "#!/bin/sh\nsleep 300\n");
    return /Job <(\d+)>/.exec(out.stdout)?.[1] as string;
  };

  it("bsub: `Job <id> is submitted to default queue <normal>.` / `... to queue <short>.`", async () => {
    // Real bsub output, e.g. in IBM's InstructLab-on-LSF guide: "Job <1131> is submitted to default queue <normal>.";
    // with -q, /work/shared/reference/batch-systems.md: "Job <123> is submitted to queue <normal>."
    const first = await run("bsub", ["-H"], "sleep 1\n");
    expect(first).toMatchObject({ exitCode: 0, stderr: "" });
    expect(first.stdout).toMatch(/^Job <\d+> is submitted to default queue <normal>\.\n$/);
    const second = await run("bsub", ["-H", "-q", "short"], "sleep 1\n");
    expect(second.stdout).toMatch(/^Job <\d+> is submitted to queue <short>\.\n$/);
    expect(Number(/<(\d+)>/.exec(second.stdout)?.[1])).toBe(Number(/<(\d+)>/.exec(first.stdout)?.[1]) + 1);
  });

  it("bsub refuses an unknown queue: `<queue>: No such queue. Job not submitted.` (exit 255)", async () => {
    // The "<reason>. Job not submitted." form as LSF prints it, e.g. "short: User cannot use the queue. Job not submitted."
    // (exit 255) in a public LSF client's tests of real bsub answers.
    expect(await run("bsub", ["-q", "nosuch"], "sleep 1\n")).toEqual({ exitCode: 255, stdout: "", stderr: "nosuch: No such queue. Job not submitted.\n" });
  });

  it("bjobs -o ... -json: {COMMAND, JOBS, RECORDS} in LSF's layout", async () => {
    // bjobs -json (IBM LSF 10.1.0.2+, https://www.ibm.com/docs/en/SSWRJV_10.1.0/lsf_command_ref/bjobs.json.1.html);
    // real output as shown in the buildtest documentation:
    //   $ bjobs -o 'job_name stat user ...' 58652 -json
    //   {
    //     "COMMAND":"bjobs",
    //     "JOBS":1,
    //     "RECORDS":[
    //       {
    //         "JOB_NAME":"hold_job",
    //         "STAT":"PSUSP",
    //   ...
    const id = await held(["-J", "hold_job"]);
    const out = await run("bjobs", ["-o", "job_name stat jobid", id, "-json"]);
    expect(out).toEqual({
      exitCode: 0,
      stderr: "",
      stdout: `{\n  "COMMAND":"bjobs",\n  "JOBS":1,\n  "RECORDS":[\n    {\n      "JOB_NAME":"hold_job",\n      "STAT":"PSUSP",\n      "JOBID":"${id}"\n    }\n  ]\n}\n`,
    });
  });

  it("bjobs -json without -o: the documented refusal", async () => {
    // Quoted from a user's report of real bjobs (signac-flow issue #166): "bjobs: You cannot use the -json option
    // when the -o option is not specified or the LSB_BJOBS_FORMAT parameter is not defined."
    const out = await run("bjobs", ["-json"]);
    expect(out.exitCode).toBe(255);
    expect(out.stderr).toBe("bjobs: You cannot use the -json option when the -o option is not specified or the LSB_BJOBS_FORMAT parameter is not defined.\n");
  });

  it("array elements: JOBID shared, JOBINDEX per element (1-based), or 123[4] with LSB_BJOBS_DISPLAY_ENH=Y", async () => {
    // IBM LSF: "Each element of the array is distinguished by its array index" and "By default, the job array index
    // starts at one" (bsub -J); LSB_BJOBS_DISPLAY_ENH=Y "displays the array element index as part of the job ID ...
    // in the format jobID[index]" (lsf.conf). Real JSON records carry "JOBINDEX" ("0" for a job that is not an array).
    const id = await held(["-J", "arr[1-3]"]);
    const out = await run("bjobs", ["-o", "jobid jobindex job_name", "-json", id]);
    const records = (JSON.parse(out.stdout) as { RECORDS: Array<Record<string, string>> }).RECORDS;
    expect(records).toEqual([1, 2, 3].map((i) => ({ JOBID: id, JOBINDEX: String(i), JOB_NAME: `arr[${i}]` })));
    const enh = await createLsfEmulatorCluster({ LSB_BJOBS_DISPLAY_ENH: "Y" });
    try {
      const runner = lsfEmulatorRunner(enh);
      const sub = await runExact(runner, "bsub", ["-H", "-J", "e[2-3]"], "sleep 1\n");
      const eid = /<(\d+)>/.exec(sub.stdout)?.[1] as string;
      const text = await runExact(runner, "bjobs", ["-noheader", "-o", "jobid jobindex stat", `${eid}[3]`]);
      expect(text.stdout).toBe(`${eid}[3] 3 PSUSP\n`);
    } finally {
      await enh.dispose();
    }
  });

  it("bjobs for an unknown id: `Job <id> is not found` on standard error, exit 255, known ids still printed", async () => {
    // Real bjobs: "lsf outputs: Job <num> is not found -- but that is on the stderr" (galaxyproject/galaxy PR #7007);
    // "If we have some success and some failures, actual command returns 255" (equinor/ert LSF driver tests).
    const id = await held();
    const out = await run("bjobs", ["-noheader", "-o", "jobid stat delimiter='^'", "999999", id]);
    expect(out).toEqual({ exitCode: 255, stdout: `${id}^PSUSP\n`, stderr: "Job <999999> is not found\n" });
    const only = await run("bjobs", ["999999"]);
    expect(only).toMatchObject({ exitCode: 255, stdout: "", stderr: "Job <999999> is not found\n" });
  });

  it("bjobs default table: LSF's columns, long array names shortened behind a *", async () => {
    // Real output (OSC/ood_core issue #18, after bsub -J "helloarray[1-10:2]"):
    //   JOBID   USER    STAT  QUEUE      FROM_HOST   EXEC_HOST   JOB_NAME   SUBMIT_TIME
    //   554997  efranz  DONE  short      fromhost.osc compute030  *oarray[7] Apr 19 17:01
    const id = await held(["-J", "helloarray[1-10:2]"]);
    const out = await run("bjobs", [`${id}[7]`]);
    const [header, row] = out.stdout.split("\n");
    expect(header).toBe("JOBID   USER    STAT  QUEUE      FROM_HOST   EXEC_HOST   JOB_NAME   SUBMIT_TIME");
    expect(row).toMatch(new RegExp(`^${id} +\\S+ +PSUSP +normal +\\S+ +\\*oarray\\[7\\] [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d$`));
    expect((await run("bjobs", [`${id}[2]`])).stderr).toBe(`Job <${id}[2]> is not found\n`);
  });

  it("bkill: `Job <id> is being terminated`; unknown and finished ids on standard error, exit 255", async () => {
    // IBM LSF "Kill multiple jobs": "bkill -m hostA 0 / Job <267> is being terminated / Job <268> is being terminated".
    // Real bkill errors (equinor/ert LSF driver tests): exit 255 with "Job <22>: No matching job found" and
    // "Job <11>: Job has already finished".
    const id = await held(["-J", "k[1-2]"]);
    expect(await run("bkill", [`${id}[2]`])).toEqual({ exitCode: 0, stdout: `Job <${id}[2]> is being terminated\n`, stderr: "" });
    expect(await run("bkill", [id, "999999"])).toEqual({ exitCode: 255, stdout: `Job <${id}> is being terminated\n`, stderr: "Job <999999>: No matching job found\n" });
    expect(await run("bkill", [id])).toEqual({ exitCode: 255, stdout: "", stderr: `Job <${id}>: Job has already finished\n` });
    expect(await run("bkill", [`${id}[1]`])).toEqual({ exitCode: 255, stdout: "", stderr: `Job <${id}[1]>: Job has already finished\n` });
  });
});
