import { CommandError, silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { onlyHarmlessErrors, qdelArgs } from "../src/sge-cancel.js";
import { createSgeBackend } from "../src/sge-descriptor.js";
import { compressTasks } from "../src/sge-ids.js";
import { FakeRunner } from "./helpers.js";

function setup() {
  const runner = new FakeRunner();
  return { runner, backend: createSgeBackend({ runner, logger: silentLogger, clusterId: "daskq-test" }) };
}

describe("cancel", () => {
  it("runs ONE qdel for jobs and array tasks, each array's tasks as runs of consecutive tasks", async () => {
    const { runner, backend } = setup();
    await backend.cancel(["10", "11.2", "11.3", "11.4", "12", "11.9", "13.1"]);
    expect(runner.calls).toEqual([{ command: "qdel", args: ["10", "11.2-4", "11.9", "12", "13.1"] }]);
  });

  it("runs nothing for an empty list", async () => {
    const { runner, backend } = setup();
    await backend.cancel([]);
    expect(runner.calls).toEqual([]);
  });

  it("skips duplicate and malformed ids (qdel would take them for job names)", async () => {
    const { runner, backend } = setup();
    await backend.cancel(["5", "5", "abc", "6.1", "6.1", "-1", "7_1", "8.0"]);
    expect(runner.calls).toEqual([{ command: "qdel", args: ["5", "6.1"] }]);
    await backend.cancel(["nope", "*"]);
    expect(runner.calls).toHaveLength(1);
  });

  it("compresses tasks into runs", () => {
    expect(compressTasks([7, 1, 2, 3, 9, 10, 3])).toEqual(["1-3", "7", "9-10"]);
    expect(compressTasks([])).toEqual([]);
    expect(qdelArgs(Array.from({ length: 1000 }, (_, i) => `40.${i + 1}`))).toEqual(["40.1-1000"]);
  });

  it("does not throw when qdel only complains about unknown or ended jobs (exit 1, on stdout)", async () => {
    const { runner, backend } = setup();
    runner.reply("qdel", {
      exitCode: 1,
      stdout: [
        "root has deleted job-array task 104.1",
        "root has deleted job-array tasks 5-7:1 of job 104",
        'job "104" task "40" does not exist',
        "root has registered the job-array task 2.4 for deletion",
        "root has deleted job 106",
        'denied: job "99999" does not exist',
        "job 100 is already in deletion",
        "",
      ].join("\n"),
    });
    await expect(backend.cancel(["104.1", "104.5", "104.6", "104.7", "104.40", "2.4", "106", "99999", "100"])).resolves.toBeUndefined();
  });

  it("throws a CommandError for anything else", async () => {
    const { runner, backend } = setup();
    runner.reply("qdel", {
      exitCode: 1,
      stdout: 'denied: job "99999" does not exist\nalice - you do not have the necessary privileges to delete the job "7"\n',
    });
    const error = await backend.cancel(["7", "99999"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/^\[daskq:sge\] qdel failed \(exit 1\): .*necessary privileges/s);

    const down = setup();
    down.runner.reply("qdel", { exitCode: 1, stderr: "error: commlib error: got select error (Connection refused)\n" });
    await expect(down.backend.cancel(["7"])).rejects.toThrow(/commlib error/);
  });

  it("counts output without a harmless line as a real failure", () => {
    expect(onlyHarmlessErrors("")).toBe(false);
    expect(onlyHarmlessErrors("root has deleted job 5\n")).toBe(false);
    expect(onlyHarmlessErrors('denied: job "5" does not exist\n')).toBe(true);
    expect(onlyHarmlessErrors("error: -t option only allows one range specification\n")).toBe(false);
  });
});
