import { CommandError, type JobState, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSlurmBackend } from "../src/slurm-descriptor.js";
import { mapSlurmState, parseSqueueOutput } from "../src/slurm-status.js";
import { FakeRunner } from "./helpers.js";

const SQUEUE_BASE = ["-h", "-r", "-t", "all", "-o", "%i %T %r"];

function setup() {
  const runner = new FakeRunner();
  const warnings: string[] = [];
  const backend = createSlurmBackend({ runner, logger: { ...silentLogger, warn: (m) => warnings.push(m) }, clusterId: "daskq-test" });
  return { runner, backend, warnings };
}

describe("Slurm states", () => {
  const expected: Record<JobState, string[]> = {
    queued: ["PENDING", "PD", "CONFIGURING", "CF", "REQUEUED", "RQ", "RESV_DEL_HOLD", "RD", "SUSPENDED", "S", "REQUEUE_HOLD", "RH"],
    running: ["RUNNING", "R", "COMPLETING", "CG", "STAGE_OUT", "SO", "SIGNALING", "SI"],
    finished: ["COMPLETED", "CD"],
    cancelled: ["CANCELLED", "CA", "cancelled"],
    failed: ["FAILED", "F", "TIMEOUT", "TO", "NODE_FAIL", "NF", "OUT_OF_MEMORY", "OOM", "BOOT_FAIL", "BF", "DEADLINE", "DL", "PREEMPTED", "PR"],
    lost: [],
  };
  for (const [state, words] of Object.entries(expected)) {
    it(`maps ${words.join(" ") || "nothing"} to ${state}`, () => {
      for (const word of words) expect(mapSlurmState(word)).toBe(state);
    });
  }

  it("knows nothing of other words", () => {
    expect(mapSlurmState("WHATEVER")).toBeUndefined();
  });
});

describe("squeue output", () => {
  it("parses ids, long and compact states and reasons with spaces", () => {
    const rows = parseSqueueOutput(
      ["7 RUNNING None", "8_2 PD ReqNodeNotAvail, UnavailableNodes:n[1-3]", "9 F NonZeroExitCode", "10_[0-3%2] PENDING JobArrayTaskLimit", "11+0 RUNNING None", ""].join("\n"),
    );
    expect(rows).toEqual([
      { id: { kind: "job", jobId: "7" }, native: "RUNNING", reason: undefined },
      { id: { kind: "task", arrayJobId: "8", taskId: 2 }, native: "PD", reason: "ReqNodeNotAvail, UnavailableNodes:n[1-3]" },
      { id: { kind: "job", jobId: "9" }, native: "F", reason: "NonZeroExitCode" },
      { id: { kind: "tasks", arrayJobId: "10", ranges: [{ first: 0, last: 3, step: 1 }] }, native: "PENDING", reason: "JobArrayTaskLimit" },
    ]);
  });
});

describe("status", () => {
  it("asks ONE squeue for all ids, naming each array once, and maps every line", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", {
      stdout: ["11_3 PENDING Resources", "10 RUNNING None", "11_0 RUNNING None", "11_1 COMPLETING None", "11_2 CANCELLED None", "12 FAILED NonZeroExitCode"].join("\n"),
    });
    const report = await backend.status(["10", "11_0", "11_1", "11_2", "11_3", "12", "13"]);
    expect(runner.calls).toEqual([{ command: "squeue", args: [...SQUEUE_BASE, "-j", "10,11,12,13"] }]);
    expect(Object.fromEntries(report)).toEqual({
      "10": { state: "running", native: "RUNNING" },
      "11_0": { state: "running", native: "RUNNING" },
      "11_1": { state: "running", native: "COMPLETING" },
      "11_2": { state: "cancelled", native: "CANCELLED" },
      "11_3": { state: "queued", native: "PENDING", reason: "Resources" },
      "12": { state: "failed", native: "FAILED", reason: "NonZeroExitCode" },
    });
    expect(report.has("13")).toBe(false);
  });

  it("gives failures without a reason their state word as reason", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", { stdout: "5 TO None\n6 OUT_OF_MEMORY None\n" });
    const report = await backend.status(["5", "6"]);
    expect(report.get("5")).toEqual({ state: "failed", native: "TO", reason: "TO" });
    expect(report.get("6")).toEqual({ state: "failed", native: "OUT_OF_MEMORY", reason: "OUT_OF_MEMORY" });
  });

  it("understands collapsed pending arrays (squeue without -r), a task's own line winning", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", { stdout: "20_[2-5,8%2] PENDING JobArrayTaskLimit\n20_0 RUNNING None\n20_1 PD Priority\n21_[0-9:3] PD Resources\n" });
    const report = await backend.status(["20_0", "20_1", "20_3", "20_6", "20_8", "21_3", "21_4"]);
    expect([...report.entries()].map(([id, s]) => `${id}=${s.state}/${s.reason ?? ""}`).sort()).toEqual([
      "20_0=running/",
      "20_1=queued/Priority",
      "20_3=queued/JobArrayTaskLimit",
      "20_8=queued/JobArrayTaskLimit",
      "21_3=queued/Resources",
    ]);
  });

  it("runs nothing for no ids or only malformed ids", async () => {
    const { runner, backend } = setup();
    expect((await backend.status([])).size).toBe(0);
    expect((await backend.status(["abc", "1.2", "3+0"])).size).toBe(0);
    expect(runner.calls).toEqual([]);
  });

  it("leaves malformed ids out of -j, so they cannot make squeue refuse the others", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", { stdout: "4 RUNNING None\n" });
    const report = await backend.status(["4", "bogus", "4"]);
    expect(runner.calls[0]?.args.at(-1)).toBe("4");
    expect([...report.keys()]).toEqual(["4"]);
  });

  it("takes 'Invalid job id specified' for a single id as 'unknown' (one call)", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", { exitCode: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n" });
    expect((await backend.status(["999_1", "999_2"])).size).toBe(0);
    expect(runner.calls).toHaveLength(1);
  });

  it("on 'Invalid job id specified' for a list, asks once more without -j and filters (two calls)", async () => {
    const { runner, backend } = setup();
    runner.reply(
      "squeue",
      { exitCode: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n" },
      { stdout: "1 RUNNING None\n2_0 PENDING Priority\n3 RUNNING None\n77 RUNNING None\n" },
    );
    const report = await backend.status(["1", "2_0", "999"]);
    expect(runner.calls.map((c) => c.args)).toEqual([
      [...SQUEUE_BASE, "-j", "1,2,999"],
      SQUEUE_BASE,
    ]);
    expect([...report.keys()].sort()).toEqual(["1", "2_0"]);
  });

  it("throws a CommandError for any other squeue failure", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", { exitCode: 1, stderr: "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n" });
    const error = await backend.status(["1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^\[daskq:slurm\] squeue failed \(exit 1\): slurm_load_jobs error: Unable to contact/);
  });

  it("reports an unknown state as queued, with a warning", async () => {
    const { runner, backend, warnings } = setup();
    runner.reply("squeue", { stdout: "1 LAUNCHING_SOMEHOW None\n" });
    expect((await backend.status(["1"])).get("1")).toEqual({ state: "queued", native: "LAUNCHING_SOMEHOW" });
    expect(warnings.join()).toMatch(/LAUNCHING_SOMEHOW/);
  });

  it("lists all jobs instead of sending a huge -j list", async () => {
    const { runner, backend } = setup();
    runner.reply("squeue", { stdout: "100000 RUNNING None\n" });
    const ids = Array.from({ length: 10_000 }, (_, i) => String(100_000 + i));
    const report = await backend.status(ids);
    expect(runner.calls).toEqual([{ command: "squeue", args: SQUEUE_BASE }]);
    expect([...report.keys()]).toEqual(["100000"]);
  });
});
