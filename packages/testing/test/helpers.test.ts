import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CountingRunner, eventually, findProcesses, findProcessesInSessions, requireService } from "../src/index.js";

describe("test helpers", () => {
  it("CountingRunner records every command it runs", async () => {
    const runner = new CountingRunner();
    await runner.run("true", []);
    await runner.run("sh", ["-c", "exit 3"]);
    expect(runner.count("true")).toBe(1);
    expect(runner.calls.map((c) => c.command)).toEqual(["true", "sh"]);
    runner.reset();
    expect(runner.calls).toEqual([]);
  });

  it("finds live processes by session with ps, and stops seeing them once killed", async () => {
    const child = execa("setsid", ["sleep", "60"], { reject: false });
    expect(await eventually(async () => (await findProcesses("sleep 60")).some((p) => p.pid === child.pid), 5000)).toBe(true);
    const [entry] = (await findProcesses("sleep 60")).filter((p) => p.pid === child.pid);
    expect((await findProcessesInSessions([entry?.sid ?? -1])).map((p) => p.pid)).toContain(child.pid);
    child.kill("SIGKILL");
    await child;
    expect(await eventually(async () => (await findProcessesInSessions([entry?.sid ?? -1])).length === 0, 5000)).toBe(true);
  });

  it("requireService fails under CI=true and only reports absence elsewhere", () => {
    const saved = process.env["CI"];
    try {
      process.env["CI"] = "true";
      expect(() => requireService("Frob", false, "Start frobd.")).toThrow(/Frob is required under CI=true.*Start frobd/);
      process.env["CI"] = "false";
      expect(requireService("Frob", false, "Start frobd.")).toBe(false);
      expect(requireService("Frob", true, "")).toBe(true);
    } finally {
      if (saved === undefined) delete process.env["CI"];
      else process.env["CI"] = saved;
    }
  });
});
