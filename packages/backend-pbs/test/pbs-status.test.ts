import { CommandError, silentLogger, type JobState } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createPbsBackend } from "../src/pbs-descriptor.js";
import { mapProState, mapTorqueState, parseProJson, parseQstatFull, statusOperands, unknownIds } from "../src/pbs-status.js";
import { FakeRunner, TORQUE_VERSION } from "./helpers.js";
import { PRO_DOC_SAMPLE, TORQUE_DOC_SAMPLE } from "./samples.js";

const PRO_ARGS = ["-x", "-f", "-F", "json", "-t"];
const TORQUE_ARGS = ["-f", "-1", "-t"];

function setup(flavour: string) {
  const runner = new FakeRunner();
  const warnings: string[] = [];
  const backend = createPbsBackend({ runner, logger: { ...silentLogger, warn: (m) => warnings.push(m) }, options: { flavour }, clusterId: "daskq-test" }, {});
  return { runner, backend, warnings };
}

function proJson(jobs: Record<string, Record<string, unknown>>): string {
  return JSON.stringify({ timestamp: 1, pbs_version: "22.05.11", pbs_server: "s", Jobs: jobs }, null, "\t");
}

describe("PBS Pro states", () => {
  const cases: Array<[string, number | undefined, number | undefined, JobState]> = [
    ["Q", undefined, 10, "queued"],
    ["H", undefined, 20, "queued"],
    ["W", undefined, undefined, "queued"],
    ["T", undefined, undefined, "queued"],
    ["S", undefined, undefined, "queued"],
    ["U", undefined, undefined, "queued"],
    ["R", undefined, 42, "running"],
    ["E", undefined, 50, "running"],
    ["B", undefined, 42, "running"],
    ["M", undefined, undefined, "lost"],
    ["F", 0, 92, "finished"],
    ["F", 1, 93, "failed"],
    ["F", 271, 91, "cancelled"],
    ["F", undefined, 91, "cancelled"],
    ["F", -29, 93, "failed"],
    ["X", 0, 92, "finished"],
    ["X", 127, 93, "failed"],
    ["X", undefined, 91, "cancelled"],
  ];
  for (const [state, exitStatus, substate, expected] of cases) {
    it(`maps ${state} (Exit_status ${exitStatus}, substate ${substate}) to ${expected}`, () => {
      expect(mapProState({ id: "1.s", state, exitStatus, substate })).toBe(expected);
    });
  }
  it("knows nothing of other letters", () => {
    expect(mapProState({ id: "1.s", state: "Z" })).toBeUndefined();
  });
});

describe("Torque states", () => {
  it("maps Q H W T S to queued, R E to running, C by exit_status", () => {
    for (const s of ["Q", "H", "W", "T", "S"]) expect(mapTorqueState({ id: "1", state: s })).toBe("queued");
    for (const s of ["R", "E"]) expect(mapTorqueState({ id: "1", state: s })).toBe("running");
    expect(mapTorqueState({ id: "1", state: "C", exitStatus: 0 })).toBe("finished");
    expect(mapTorqueState({ id: "1", state: "C", exitStatus: 271 })).toBe("failed");
    expect(mapTorqueState({ id: "1", state: "C", exitStatus: -1 })).toBe("failed");
    expect(mapTorqueState({ id: "1", state: "C" })).toBe("cancelled");
  });
});

describe("qstat output", () => {
  it("reads the documented PBS Pro JSON sample", () => {
    expect(parseProJson(PRO_DOC_SAMPLE)).toEqual([{ id: "1.vbox", state: "Q", exitStatus: undefined, substate: undefined, comment: undefined }]);
    expect(parseProJson('{"timestamp":1,"pbs_version":"22","pbs_server":"s"}')).toEqual([]);
    expect(parseProJson("")).toEqual([]);
  });

  it("scans JSON that does not parse (unescaped characters in values, as some PBS versions print)", () => {
    const broken = '{\n"Jobs":{\n"5.s":{"Variable_List":{"X":"a"b"},"job_state":"F","substate":93,"Exit_status":2},\n"6[1].s":{"job_state":"R"}}}';
    expect(parseProJson(broken)).toEqual([
      { id: "5.s", state: "F", exitStatus: 2, substate: 93, comment: undefined },
      { id: "6[1].s", state: "R", exitStatus: undefined, substate: undefined, comment: undefined },
    ]);
  });

  it("reads the documented Torque qstat -f sample, continuation lines included", () => {
    expect(parseQstatFull(TORQUE_DOC_SAMPLE)).toEqual([{ id: "179.host", state: "C", exitStatus: -1, substate: undefined, comment: undefined, name: "STDIN" }]);
  });

  it("finds the ids qstat calls unknown", () => {
    expect(unknownIds("qstat: Unknown Job Id 5.s\nqstat: Unknown Job Id Error 6[].s\n")).toEqual(["5.s", "6[].s"]);
  });

  it("names each array once, for all its subjobs, and skips ids that are not PBS ids", () => {
    expect(statusOperands(["1.s", "2[0].s", "2[1].s", "3[].s", "abc", "4[2-5].s", "1.s"])).toEqual(["1.s", "2[].s", "3[].s"]);
  });
});

describe("status (PBS Pro)", () => {
  it("asks ONE qstat -x -f -F json -t for every id and maps each job and subjob", async () => {
    const { runner, backend } = setup("pro");
    runner.reply("qstat", {
      stdout: proJson({
        "10.s": { job_state: "R", substate: 42 },
        "11.s": { job_state: "F", substate: 92, Exit_status: 0 },
        "12.s": { job_state: "F", substate: 93, Exit_status: 127, comment: "Job run at ... and failed" },
        "13[].s": { job_state: "B" },
        "13[0].s": { job_state: "X", substate: 92, Exit_status: 0 },
        "13[1].s": { job_state: "R" },
        "13[2].s": { job_state: "Q", comment: "Not Running: Insufficient amount of resource: ncpus" },
        "14.s": { job_state: "H", substate: 20 },
      }),
    });
    const report = await backend.status(["10.s", "11.s", "12.s", "13[0].s", "13[1].s", "13[2].s", "14.s", "99.s"]);
    expect(runner.calls).toEqual([{ command: "qstat", args: [...PRO_ARGS, "10.s", "11.s", "12.s", "13[].s", "14.s", "99.s"] }]);
    expect(Object.fromEntries(report)).toEqual({
      "10.s": { state: "running", native: "R" },
      "11.s": { state: "finished", native: "F" },
      "12.s": { state: "failed", native: "F", reason: "Exit_status=127" },
      "13[0].s": { state: "finished", native: "X" },
      "13[1].s": { state: "running", native: "R" },
      "13[2].s": { state: "queued", native: "Q", reason: "Not Running: Insufficient amount of resource: ncpus" },
      "14.s": { state: "queued", native: "H" },
    });
  });

  it("treats exit 153 with 'Unknown Job Id' lines as 'those are absent', keeping the known ones", async () => {
    const { runner, backend } = setup("pro");
    runner.reply("qstat", { exitCode: 153, stdout: proJson({ "1.s": { job_state: "R" } }), stderr: "qstat: Unknown Job Id 2.s\nqstat: Unknown Job Id 3.s\n" });
    const report = await backend.status(["1.s", "2.s", "3.s"]);
    expect([...report.keys()]).toEqual(["1.s"]);
    runner.reply("qstat", { exitCode: 153, stdout: '{"timestamp":1,"pbs_version":"x","pbs_server":"s"}', stderr: "qstat: Unknown Job Id 2.s\n" });
    expect((await backend.status(["2.s"])).size).toBe(0);
  });

  it("throws a CommandError for any other failure", async () => {
    const { runner, backend } = setup("pro");
    runner.reply("qstat", { exitCode: 2, stderr: "qstat: cannot connect to server pbs (errno=15010)\n" });
    const error = await backend.status(["1.s"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^\[daskq:pbs\] qstat failed \(exit 2\): qstat: cannot connect/);
  });

  it("matches ids whose server part qstat spells differently (short name vs FQDN)", async () => {
    const { runner, backend } = setup("pro");
    runner.reply("qstat", { stdout: proJson({ "7.head.cluster.org": { job_state: "R" }, "8[1].head.cluster.org": { job_state: "Q" } }) });
    const report = await backend.status(["7.head", "8[1].head"]);
    expect(report.get("7.head")?.state).toBe("running");
    expect(report.get("8[1].head")?.state).toBe("queued");
  });

  it("reports an unknown letter as queued, with a warning", async () => {
    const { runner, backend, warnings } = setup("pro");
    runner.reply("qstat", { stdout: proJson({ "1.s": { job_state: "Z" } }) });
    expect((await backend.status(["1.s"])).get("1.s")).toEqual({ state: "queued", native: "Z" });
    expect(warnings[0]).toMatch(/unknown job state Z/);
  });

  it("falls back to qstat without -x, once and for good, on a server that keeps no job history", async () => {
    const { runner, backend } = setup("pro");
    runner.reply(
      "qstat",
      // OpenPBS with job_history_enable off: every -x operand is refused, nothing listed, exit 0.
      { stdout: '{"timestamp":1,"pbs_version":"22","pbs_server":"s"}', stderr: "qstat: PBS is not configured to maintain job history 1.s\n" },
      { stdout: proJson({ "1.s": { job_state: "R" } }) },
    );
    expect((await backend.status(["1.s"])).get("1.s")?.state).toBe("running");
    await backend.status(["1.s"]);
    expect(runner.calls.map((c) => c.args.join(" "))).toEqual(["-x -f -F json -t 1.s", "-f -F json -t 1.s", "-f -F json -t 1.s"]);
  });

  it("runs nothing for no ids or only foreign ids", async () => {
    const { runner, backend } = setup("pro");
    expect((await backend.status([])).size).toBe(0);
    expect((await backend.status(["abc"])).size).toBe(0);
    expect(runner.calls).toEqual([]);
  });
});

describe("status (Torque)", () => {
  it("asks ONE qstat -f -1 -t and reads its text; detection first with flavour auto, once", async () => {
    const { runner, backend } = setup("auto");
    const twoJobs = `${TORQUE_DOC_SAMPLE}Job Id: 180.host\n    Job_Name = STDIN\n    job_state = R\n    queue = batchq\n\n`;
    runner.reply("qstat", TORQUE_VERSION, { stdout: twoJobs, exitCode: 153, stderr: "qstat: Unknown Job Id Error 181.host\n" });
    const report = await backend.status(["179.host", "180.host", "181.host"]);
    expect(runner.calls).toEqual([
      { command: "qstat", args: ["--version"] },
      { command: "qstat", args: [...TORQUE_ARGS, "179.host", "180.host", "181.host"] },
    ]);
    expect(Object.fromEntries(report)).toEqual({
      "179.host": { state: "failed", native: "C", reason: "Exit_status=-1 (PBS could not run the job)" },
      "180.host": { state: "running", native: "R" },
    });
    await backend.status(["180.host"]);
    expect(runner.callsOf("qstat").filter((c) => c.args[0] === "--version")).toHaveLength(1);
  });

  it("reads Torque array subjobs 5[0].host ... from one operand 5[].host", async () => {
    const { runner, backend } = setup("torque");
    runner.reply("qstat", {
      stdout: "Job Id: 5[0].host\n    job_state = C\n    exit_status = 271\n\nJob Id: 5[1].host\n    job_state = Q\n\n",
    });
    const report = await backend.status(["5[0].host", "5[1].host"]);
    expect(runner.calls[0]?.args).toEqual([...TORQUE_ARGS, "5[].host"]);
    expect(report.get("5[0].host")).toEqual({ state: "failed", native: "C", reason: "Exit_status=271 (killed by signal 15)" });
    expect(report.get("5[1].host")).toEqual({ state: "queued", native: "Q" });
  });
});
