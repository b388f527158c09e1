import { CommandError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { onlyHarmlessErrors } from "../src/slurm-cancel.js";
import { createSlurmBackend } from "../src/slurm-descriptor.js";
import { FakeRunner } from "./helpers.js";

function setup() {
  const runner = new FakeRunner();
  return { runner, backend: createSlurmBackend({ runner, logger: silentLogger, clusterId: "daskq-test" }) };
}

describe("cancel", () => {
  it("runs ONE scancel with every id, array tasks included", async () => {
    const { runner, backend } = setup();
    await backend.cancel(["10", "11_2", "11_3", "12"]);
    expect(runner.calls).toEqual([{ command: "scancel", args: ["10", "11_2", "11_3", "12"] }]);
  });

  it("runs nothing for an empty list", async () => {
    const { runner, backend } = setup();
    await backend.cancel([]);
    expect(runner.calls).toEqual([]);
  });

  it("skips duplicate and malformed ids (scancel would refuse the whole call for them)", async () => {
    const { runner, backend } = setup();
    await backend.cancel(["5", "5", "abc", "6_1", "-1"]);
    expect(runner.calls).toEqual([{ command: "scancel", args: ["5", "6_1"] }]);
    await backend.cancel(["nope"]);
    expect(runner.calls).toHaveLength(1);
  });

  it("does not throw when scancel only complains about unknown or finished jobs", async () => {
    const { runner, backend } = setup();
    runner.reply("scancel", {
      exitCode: 1,
      stderr:
        "scancel: error: Kill job error on job id 999: Invalid job id specified\n" +
        "scancel: error: Kill job error on job id 7: Job/step already completing or completed\n",
    });
    await expect(backend.cancel(["999", "7"])).resolves.toBeUndefined();
  });

  it("throws a CommandError for anything else", async () => {
    const { runner, backend } = setup();
    runner.reply("scancel", { exitCode: 1, stderr: "scancel: error: Kill job error on job id 7: Access/permission denied\n" });
    const error = await backend.cancel(["7"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^\[daskq:slurm\] scancel failed \(exit 1\): .*permission denied/);
  });

  it("counts an empty error output as a real failure", () => {
    expect(onlyHarmlessErrors("")).toBe(false);
    expect(onlyHarmlessErrors("scancel: error: Invalid job id 12_x\n")).toBe(true);
  });
});
