import { CommandError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { cancelArgs, onlyHarmlessErrors } from "../src/pbs-cancel.js";
import { createPbsBackend } from "../src/pbs-descriptor.js";
import { FakeRunner } from "./helpers.js";

function setup(flavour: string) {
  const runner = new FakeRunner();
  return { runner, backend: createPbsBackend({ runner, logger: silentLogger, options: { flavour }, clusterId: "daskq-test" }, {}) };
}

describe("cancel", () => {
  it("runs ONE qdel with every id, subjobs and arrays included", async () => {
    const { runner, backend } = setup("pro");
    await backend.cancel(["10.s", "11[2].s", "11[3].s", "12[].s"]);
    expect(runner.calls).toEqual([{ command: "qdel", args: ["10.s", "11[2].s", "11[3].s", "12[].s"] }]);
  });

  it("runs nothing for an empty list, and skips duplicates and ids that are not PBS ids", async () => {
    const { runner, backend } = setup("torque");
    await backend.cancel([]);
    expect(runner.calls).toEqual([]);
    await backend.cancel(["5.s", "5.s", "abc", "6[1].s", "7[1-3].s"]);
    expect(runner.calls).toEqual([{ command: "qdel", args: ["5.s", "6[1].s"] }]);
    await backend.cancel(["nope"]);
    expect(runner.calls).toHaveLength(1);
  });

  it("does not throw when PBS Pro's qdel only says the jobs are unknown or over", async () => {
    const { runner, backend } = setup("pro");
    runner.reply("qdel", {
      exitCode: 35,
      stderr:
        "qdel: Unknown Job Id 999.s\nqdel: Job has finished 7.s\nqdel: Request invalid for finished array subjob 8[1].s\nqdel: Request invalid for state of job 9.s\n",
    });
    await expect(backend.cancel(["999.s", "7.s", "8[1].s", "9.s"])).resolves.toBeUndefined();
  });

  it("does not throw when Torque's qdel only says the jobs are unknown or complete", async () => {
    const { runner, backend } = setup("torque");
    runner.reply("qdel", { exitCode: 153, stderr: "qdel: nonexistent job id: 999.s\nqdel: invalid state for job - COMPLETE 7.s\n" });
    await expect(backend.cancel(["999.s", "7.s"])).resolves.toBeUndefined();
  });

  it("throws a CommandError for anything else, and for a failure without a message", async () => {
    const { runner, backend } = setup("pro");
    runner.reply("qdel", { exitCode: 1, stderr: "qdel: Unauthorized Request  7.s\n" }, { exitCode: 1 });
    const error = await backend.cancel(["7.s"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toBe("[daskq:pbs] qdel failed (exit 1): qdel: Unauthorized Request  7.s");
    await expect(backend.cancel(["7.s"])).rejects.toThrow(/\(no output\)/);
  });

  it("Moab: ONE canceljob, unknown jobs harmless", async () => {
    const { runner, backend } = setup("moab");
    runner.reply("canceljob", { exitCode: 1, stderr: "ERROR:  invalid job specified (Moab.9)\n" });
    await backend.cancel(["Moab.8", "Moab.9"]);
    expect(runner.calls).toEqual([{ command: "canceljob", args: ["Moab.8", "Moab.9"] }]);
    expect(cancelArgs("moab", ["a b", "12", "x[1]"])).toEqual(["12", "x[1]"]);
    expect(onlyHarmlessErrors("", "moab")).toBe(false);
  });
});
