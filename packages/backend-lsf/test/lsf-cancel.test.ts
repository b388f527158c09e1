import { CommandError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { bkillArgs, onlyHarmlessErrors } from "../src/lsf-cancel.js";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { FakeRunner } from "./helpers.js";

function setup() {
  const runner = new FakeRunner();
  return { runner, backend: createLsfBackend({ runner, logger: silentLogger, clusterId: "daskq-test" }) };
}

describe("cancel", () => {
  it("runs ONE bkill with every id, array elements as 123[4], each once", async () => {
    const { runner, backend } = setup();
    runner.reply("bkill", { stdout: "Job <5> is being terminated\nJob <6[2]> is being terminated\nJob <6[3]> is being terminated\n" });
    await backend.cancel(["5", "6[2]", "6[3]", "5"]);
    expect(runner.calls).toEqual([{ command: "bkill", args: ["5", "6[2]", "6[3]"], input: undefined }]);
  });

  it("runs nothing for no ids or ids that are not LSF ids", async () => {
    const { runner, backend } = setup();
    await backend.cancel([]);
    await backend.cancel(["abc", "1_2", "7[x]"]);
    expect(runner.calls).toEqual([]);
    expect(bkillArgs(["1", "x", "2[3]"])).toEqual(["1", "2[3]"]);
  });

  it("treats unknown, finished and already-killed jobs as harmless (bkill exits 255)", async () => {
    const { runner, backend } = setup();
    runner.reply("bkill", {
      exitCode: 255,
      stdout: "Job <5> is being terminated\n",
      stderr: "Job <999999999>: No matching job found\nJob <7>: Job has already finished\nJob <8[1]>: Operation is in progress\n",
    });
    await expect(backend.cancel(["5", "999999999", "7", "8[1]"])).resolves.toBeUndefined();
  });

  it("fails with a CommandError for anything else", async () => {
    const { runner, backend } = setup();
    runner.reply("bkill", { exitCode: 255, stderr: "Job <5>: No matching job found\nUser permission denied\n" });
    const error = await backend.cancel(["5"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^\[daskq:lsf\] bkill failed \(exit 255\): Job <5>: No matching job found\nUser permission denied$/);
    expect(onlyHarmlessErrors("")).toBe(false);
  });
});
