import { CommandError, DaskqError, renderJobScript, silentLogger, workerLaunch } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createPbsBackend } from "../src/pbs-descriptor.js";
import { parseSubmitOutput, submitArgs } from "../src/pbs-submit.js";
import { FakeRunner, PRO_VERSION, TORQUE_VERSION, makeSpec, scriptRequest } from "./helpers.js";

function setup(options: Record<string, unknown> = {}) {
  const runner = new FakeRunner();
  return { runner, backend: createPbsBackend({ runner, logger: silentLogger, options, clusterId: "daskq-test" }, {}) };
}

describe("submit", () => {
  it("PBS Pro: writes the script privately and runs qsub <script>, resolving 123.server", async () => {
    const { runner, backend } = setup({ flavour: "pro" });
    runner.reply("qsub", { stdout: "123.pbs-server.example.org\n" });
    const ids = await backend.submit(scriptRequest({ script: "#!/bin/bash\n#PBS -N x\nsleep 1\n", count: 1 }));
    expect(ids).toEqual(["123.pbs-server.example.org"]);
    expect(runner.calls.map((c) => c.command)).toEqual(["mkdir", "qsub"]);
    const [path] = runner.files.keys();
    expect(path).toMatch(/^\/fake\/tmp\/daskq-pbs-1\/job-1\.sh$/);
    expect(runner.callsOf("qsub")[0]?.args).toEqual([path]);
    expect(runner.files.get(path as string)?.mode).toBe(0o700);
  });

  it("PBS Pro arrays: qsub -J 0-(n-1)[%k] and subjob ids 124[i].server in index order", async () => {
    const { runner, backend } = setup({ flavour: "pro", "array-max-running": 2 });
    runner.reply("qsub", { stdout: "124[].server\n" });
    const ids = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 3 }));
    expect(ids).toEqual(["124[0].server", "124[1].server", "124[2].server"]);
    expect(runner.callsOf("qsub")[0]?.args.slice(0, 2)).toEqual(["-J", "0-2%2"]);
    await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 2, maxRunning: 5 }));
    expect(runner.callsOf("qsub")[1]?.args.slice(0, 2)).toEqual(["-J", "0-1%5"]);
  });

  it("Torque arrays: qsub -t 0-(n-1)", async () => {
    const { runner, backend } = setup({ flavour: "torque" });
    runner.reply("qsub", { stdout: "7[].torque-head\n" });
    expect(await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 2 }))).toEqual(["7[0].torque-head", "7[1].torque-head"]);
    expect(runner.callsOf("qsub")[0]?.args.slice(0, 2)).toEqual(["-t", "0-1"]);
    expect(backend.arrayIndex).toEqual({ variable: "PBS_ARRAYID", first: 0 });
  });

  it("Moab: msub <script>, ids as Moab prints them (after a blank line); no arrays", async () => {
    const { runner, backend } = setup({ flavour: "moab" });
    runner.reply("msub", { stdout: "\nMoab.4711\n" });
    expect(await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }))).toEqual(["Moab.4711"]);
    expect(backend.capabilities.arrays).toBe(false);
    expect(backend.arrayIndex).toBeUndefined();
    await expect(backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 2 }))).rejects.toThrow(/arrays are switched off/);
  });

  it("asks qstat --version ONCE with flavour auto, before the first submission", async () => {
    const { runner, backend } = setup();
    runner.reply("qstat", PRO_VERSION).reply("qsub", { stdout: "1.s\n" });
    await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }));
    await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }));
    expect(runner.calls.map((c) => c.command)).toEqual(["mkdir", "qstat", "qsub", "qsub"]);
    expect(runner.callsOf("qstat")[0]?.args).toEqual(["--version"]);
    expect(backend.knownFlavour).toBe("pro");
  });

  it("on Torque found by prepare(), renders Torque's header and $PBS_ARRAYID from the first script on", async () => {
    const { runner, backend } = setup();
    runner.reply("qstat", TORQUE_VERSION).reply("qsub", { stdout: "9[].t\n" });
    await backend.prepare();
    await backend.prepare();
    expect(runner.callsOf("qstat")).toHaveLength(1);
    const script = renderJobScript(backend, makeSpec(), workerLaunch(makeSpec(), "tcp://1.2.3.4:8786", { kind: "array", base: "d-0" }), "/o");
    expect(script).toContain("#PBS -l nodes=1:ppn=8,mem=15GB");
    expect(script).not.toContain("select=");
    expect(script).toContain(`--name d-0-"\${PBS_ARRAYID}"`);
    await backend.submit(scriptRequest({ script, count: 2 }));
    // The script goes to qsub exactly as rendered.
    expect([...runner.files.values()][0]?.content).toBe(script);
    expect(backend.arrayIndex?.variable).toBe("PBS_ARRAYID");
  });

  it("says what to do when qstat --version tells nothing", async () => {
    const { runner, backend } = setup();
    runner.reply("qstat", { stdout: "qstat: not this kind\n", exitCode: 1 }, PRO_VERSION);
    const error = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaskqError);
    expect((error as Error).message).toMatch(/^\[daskq:pbs\] 'qstat --version' printed neither.*Set jobqueue\.pbs\.flavour to pro, torque or moab/);
    runner.reply("qsub", { stdout: "2.s\n" });
    // A failed detection is retried.
    expect(await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }))).toEqual(["2.s"]);
  });

  it("creates the log directory once, with one mkdir, before qsub", async () => {
    const { runner, backend } = setup({ flavour: "pro" });
    runner.reply("qsub", { stdout: "5.s\n" });
    const script = "#!/bin/bash\n#PBS -j oe\n#PBS -o /scratch/logs/\necho hi\n";
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/logs" }));
    await backend.submit(scriptRequest({ script, count: 1, outputDirectory: "/scratch/logs" }));
    expect(runner.calls.map((c) => `${c.command} ${c.args[0]}`)).toEqual(["mkdir -p", "qsub /fake/tmp/daskq-pbs-1/job-1.sh", "qsub /fake/tmp/daskq-pbs-1/job-2.sh"]);
    expect(runner.callsOf("mkdir")[0]?.args).toEqual(["-p", "--", "/scratch/logs"]);
  });

  it("reports qsub's own message, tagged [daskq:pbs]", async () => {
    const { runner, backend } = setup({ flavour: "pro" });
    runner.reply("qsub", { exitCode: 1, stderr: "qsub: Unknown queue\n" });
    const error = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toBe("[daskq:pbs] qsub failed (exit 1): qsub: Unknown queue");
  });

  it("refuses output without a job id, and an array answer that is not an array id", async () => {
    const { runner, backend } = setup({ flavour: "pro" });
    runner.reply("qsub", { stdout: "something else\n" }, { stdout: "12.s\n" });
    await expect(backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }))).rejects.toThrow(/qsub failed \(exit 0\): printed no job id: something else/);
    await expect(backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 3 }))).rejects.toThrow(/no array job id/);
  });

  it("refuses counts that are not positive integers, and arrays when arrays are off", async () => {
    const { backend } = setup({ flavour: "pro", arrays: false });
    await expect(backend.submit(scriptRequest({ script: "x", count: 0 }))).rejects.toThrow(/positive integer/);
    await expect(backend.submit(scriptRequest({ script: "x", count: 2 }))).rejects.toThrow(/arrays are switched off/);
    expect(backend.capabilities.arrays).toBe(false);
    const { backend: other } = setup({ flavour: "pro" });
    await expect(other.submit(scriptRequest({ script: "x", count: 2, maxRunning: 0 }))).rejects.toThrow(/array-max-running/);
  });

  it("knows each flavour's arguments and output", () => {
    expect(submitArgs("pro", "/s.sh", 1, 3)).toEqual(["/s.sh"]);
    expect(submitArgs("torque", "/s.sh", 4, undefined)).toEqual(["-t", "0-3", "/s.sh"]);
    expect(submitArgs("moab", "/s.sh", 1, undefined)).toEqual(["/s.sh"]);
    expect(parseSubmitOutput("1234.head\n", "pro")).toBe("1234.head");
    expect(parseSubmitOutput("warning: something\n55[].head\n", "torque")).toBe("55[].head");
    expect(parseSubmitOutput("Job submitted\n", "pro")).toBeUndefined();
    expect(parseSubmitOutput("\n\n881218\n", "moab")).toBe("881218");
  });

  it("removes its script directory on close", async () => {
    const { runner, backend } = setup({ flavour: "pro" });
    runner.reply("qsub", { stdout: "1.s\n" });
    await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }));
    await backend.close();
    expect(runner.calls.at(-1)).toEqual({ command: "rm", args: ["-rf", "--", "/fake/tmp/daskq-pbs-1"] });
  });
});
