import { CommandError, silentLogger, type JobState } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { BJOBS_FIELDS, bjobsSelectors, mapLsfState, parseBjobsJson, parseBjobsText } from "../src/lsf-status.js";
import { FakeRunner } from "./helpers.js";

const JSON_ARGS = ["-o", BJOBS_FIELDS, "-json"];
const TEXT_ARGS = ["-noheader", "-o", `${BJOBS_FIELDS} delimiter='^'`];

function setup() {
  const runner = new FakeRunner();
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger = { ...silentLogger, warn: (m: string) => warnings.push(m), info: (m: string) => infos.push(m) };
  const backend = createLsfBackend({ runner, logger, clusterId: "daskq-test" });
  return { runner, backend, warnings, infos };
}

/** bjobs -json output in LSF 10.1's layout. */
function bjobsJson(records: Array<Record<string, string>>): string {
  const body = records.map((r) => `    {\n${Object.entries(r).map(([k, v]) => `      "${k}":${JSON.stringify(v)}`).join(",\n")}\n    }`);
  return `{\n  "COMMAND":"bjobs",\n  "JOBS":${records.length},\n  "RECORDS":[\n${body.join(",\n")}\n  ]\n}\n`;
}

const rec = (JOBID: string, JOBINDEX: string, STAT: string, more: Record<string, string> = {}) => ({
  JOBID,
  JOBINDEX,
  STAT,
  EXIT_CODE: "",
  EXIT_REASON: "",
  PEND_REASON: "",
  ...more,
});

describe("LSF states", () => {
  const expected: Record<JobState, string[]> = {
    queued: ["PEND", "PSUSP", "WAIT", "PROV"],
    running: ["RUN", "USUSP", "SSUSP"],
    finished: ["DONE"],
    failed: ["EXIT"],
    cancelled: [],
    lost: ["ZOMBI", "UNKWN"],
  };
  for (const [state, words] of Object.entries(expected)) {
    it(`maps ${words.join(" ") || "nothing"} to ${state}`, () => {
      for (const word of words) expect(mapLsfState(word)).toBe(state);
    });
  }

  it("knows nothing of other words", () => {
    expect(mapLsfState("RUNNING")).toBeUndefined();
  });
});

describe("bjobs output", () => {
  it("reads JSON records, with the index in JOBINDEX or in JOBID, skipping ERROR records", () => {
    const stdout = bjobsJson([
      rec("10", "0", "RUN"),
      rec("11", "3", "PEND", { PEND_REASON: "New job is waiting for scheduling;" }),
      rec("12[2]", "2", "EXIT", { EXIT_CODE: "127", EXIT_REASON: "" }),
      { ERROR: "Job <13> is not found" } as unknown as ReturnType<typeof rec>,
    ]);
    expect(parseBjobsJson(stdout)).toEqual([
      { id: "10", stat: "RUN", exitCode: undefined, exitReason: undefined, pendReason: undefined },
      { id: "11[3]", stat: "PEND", exitCode: undefined, exitReason: undefined, pendReason: "New job is waiting for scheduling;" },
      { id: "12[2]", stat: "EXIT", exitCode: "127", exitReason: undefined, pendReason: undefined },
    ]);
    expect(parseBjobsJson("")).toEqual([]);
    expect(parseBjobsJson("JOBID STAT\n1 RUN\n")).toBeUndefined();
    expect(parseBjobsJson('{"COMMAND":"bjobs"}')).toBeUndefined();
  });

  it("reads the delimited text form, - meaning empty, and whitespace when there is no delimiter", () => {
    const stdout = ["7^0^RUN^-^-^-", "8^2^EXIT^1^-^-", "9^0^PEND^-^-^Job's requirements not satisfied; ^ in a reason", "10 0 DONE - - -", "garbage", ""].join("\n");
    expect(parseBjobsText(stdout)).toEqual([
      { id: "7", stat: "RUN", exitCode: undefined, exitReason: undefined, pendReason: undefined },
      { id: "8[2]", stat: "EXIT", exitCode: "1", exitReason: undefined, pendReason: undefined },
      { id: "9", stat: "PEND", exitCode: undefined, exitReason: undefined, pendReason: "Job's requirements not satisfied; ^ in a reason" },
      { id: "10", stat: "DONE", exitCode: undefined, exitReason: undefined, pendReason: undefined },
    ]);
  });

  it("names each array once and drops ids that are not LSF ids", () => {
    expect(bjobsSelectors(["5", "6[1]", "6[2]", "7", "abc", "8[x]", "5"])).toEqual(["5", "6", "7"]);
  });
});

describe("status", () => {
  it("asks ONE bjobs -json for all ids, each array once, and maps every record", async () => {
    const { runner, backend } = setup();
    runner.reply("bjobs", {
      stdout: bjobsJson([
        rec("10", "0", "RUN"),
        rec("11", "1", "RUN"),
        rec("11", "2", "PEND", { PEND_REASON: "The job array has reached its job slot limit" }),
        rec("11", "3", "DONE"),
        rec("11", "4", "EXIT", { EXIT_CODE: "1" }),
        rec("11", "5", "EXIT", { EXIT_REASON: "TERM_RUNLIMIT: job killed after reaching LSF run time limit", EXIT_CODE: "140" }),
        rec("12", "0", "PSUSP"),
        rec("14", "0", "SSUSP"),
        rec("15", "0", "UNKWN"),
        rec("16", "0", "EXIT", { EXIT_REASON: "TERM_OWNER: job killed by owner" }),
      ]),
      stderr: "Job <13> is not found\n",
      exitCode: 255,
    });
    const ids = ["10", "11[1]", "11[2]", "11[3]", "11[4]", "11[5]", "12", "13", "14", "15", "16"];
    const report = await backend.status(ids);
    expect(runner.calls).toEqual([{ command: "bjobs", args: [...JSON_ARGS, "10", "11", "12", "13", "14", "15", "16"], input: undefined }]);
    expect(Object.fromEntries(report)).toEqual({
      "10": { state: "running", native: "RUN" },
      "11[1]": { state: "running", native: "RUN" },
      "11[2]": { state: "queued", native: "PEND", reason: "The job array has reached its job slot limit" },
      "11[3]": { state: "finished", native: "DONE" },
      "11[4]": { state: "failed", native: "EXIT", reason: "exit code 1" },
      "11[5]": { state: "failed", native: "EXIT", reason: "TERM_RUNLIMIT: job killed after reaching LSF run time limit" },
      "12": { state: "queued", native: "PSUSP", reason: "held (PSUSP)" },
      "14": { state: "running", native: "SSUSP", reason: "suspended by LSF (SSUSP)" },
      "15": { state: "lost", native: "UNKWN", reason: "LSF lost contact with its host (UNKWN)" },
      "16": { state: "cancelled", native: "EXIT", reason: "TERM_OWNER: job killed by owner" },
    });
    expect(report.has("13")).toBe(false);
  });

  it("reports EXIT of a job it cancelled itself as cancelled", async () => {
    const { runner, backend } = setup();
    runner.reply("bkill", { stdout: "Job <20> is being terminated\n" });
    runner.reply("bjobs", { stdout: bjobsJson([rec("20", "0", "EXIT", { EXIT_CODE: "130" }), rec("21", "0", "EXIT", { EXIT_CODE: "130" })]) });
    await backend.cancel(["20"]);
    const report = await backend.status(["20", "21"]);
    expect(report.get("20")).toEqual({ state: "cancelled", native: "EXIT", reason: "exit code 130" });
    expect(report.get("21")).toEqual({ state: "failed", native: "EXIT", reason: "exit code 130" });
  });

  it("treats ids bjobs does not know as absent, whatever the exit code, and asks nothing for no ids", async () => {
    const { runner, backend } = setup();
    runner.reply("bjobs", { exitCode: 255, stderr: "Job <999> is not found\n" }, { exitCode: 0, stderr: "Job <998> is not found\n" });
    expect((await backend.status(["999"])).size).toBe(0);
    expect((await backend.status(["998"])).size).toBe(0);
    expect((await backend.status(["abc"])).size).toBe(0);
    expect((await backend.status([])).size).toBe(0);
    expect(runner.callsOf("bjobs")).toHaveLength(2);
  });

  it("fails with a CommandError when bjobs fails for another reason", async () => {
    const { runner, backend } = setup();
    runner.reply("bjobs", { stdout: bjobsJson([rec("1", "0", "RUN")]) }, { exitCode: 255, stderr: "LSF is down. Please wait ...\n" });
    await backend.status(["1"]);
    const error = await backend.status(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toBe("[daskq:lsf] bjobs failed (exit 255): LSF is down. Please wait ...");
  });

  it("falls back to the text form ONCE when bjobs has no -json (LSF before 10.1.0.2), then uses only it", async () => {
    const { runner, backend, infos } = setup();
    runner.reply("bjobs", (call) =>
      call.args.includes("-json")
        ? { exitCode: 255, stderr: "bjobs: illegal option -- json\nUsage: bjobs [-a] ...\n" }
        : { stdout: "5^0^RUN^-^-^-\n6^1^PEND^-^-^New job is waiting for scheduling;\n" },
    );
    expect(Object.fromEntries(await backend.status(["5", "6[1]"]))).toEqual({
      "5": { state: "running", native: "RUN" },
      "6[1]": { state: "queued", native: "PEND", reason: "New job is waiting for scheduling" },
    });
    expect(runner.callsOf("bjobs").map((c) => c.args)).toEqual([
      [...JSON_ARGS, "5", "6"],
      [...TEXT_ARGS, "5", "6"],
    ]);
    await backend.status(["5"]);
    expect(runner.callsOf("bjobs").map((c) => c.args).at(-1)).toEqual([...TEXT_ARGS, "5"]);
    expect(runner.callsOf("bjobs")).toHaveLength(3);
    expect(infos.join()).toMatch(/does not support -json/);
  });

  it("falls back when -json is silently ignored, but not once JSON has worked", async () => {
    const { runner, backend } = setup();
    runner.reply("bjobs", { stdout: "JOBID USER STAT\n5 me RUN\n" }, { stdout: "5^0^RUN^-^-^-\n" });
    expect((await backend.status(["5"])).get("5")?.state).toBe("running");
    const second = setup();
    second.runner.reply("bjobs", { stdout: bjobsJson([rec("5", "0", "RUN")]) }, { exitCode: 255, stderr: "bjobs: illegal option -- json\n" });
    await second.backend.status(["5"]);
    await expect(second.backend.status(["5"])).rejects.toThrow(/bjobs failed/);
  });

  it("fails in text mode on errors other than unknown ids", async () => {
    const { runner, backend } = setup();
    runner.reply("bjobs", (call) =>
      call.args.includes("-json") ? { exitCode: 255, stderr: "-json: illegal option\n" } : { exitCode: 255, stderr: "Failed in an LSF library call\n" },
    );
    await expect(backend.status(["5"])).rejects.toThrow("[daskq:lsf] bjobs failed (exit 255): Failed in an LSF library call");
  });

  it("lists all jobs (-a) and filters when the id list is too long for one command", async () => {
    const { runner, backend } = setup();
    const ids = Array.from({ length: 8000 }, (_, i) => String(100000 + i));
    runner.reply("bjobs", { stdout: bjobsJson([rec("100001", "0", "RUN"), rec("7", "0", "RUN")]) });
    const report = await backend.status(ids);
    expect(runner.calls).toEqual([{ command: "bjobs", args: [...JSON_ARGS, "-a"], input: undefined }]);
    expect([...report.keys()]).toEqual(["100001"]);
  });

  it("reports an unknown state word as queued, with a warning", async () => {
    const { runner, backend, warnings } = setup();
    runner.reply("bjobs", { stdout: bjobsJson([rec("3", "0", "NEWSTATE")]) });
    expect((await backend.status(["3"])).get("3")).toEqual({ state: "queued", native: "NEWSTATE" });
    expect(warnings).toEqual(["lsf: unknown LSF job state NEWSTATE; treating it as queued"]);
  });
});
