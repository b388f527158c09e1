/** The daskq command with the UNICORE backend, against the UNICORE EMULATOR running in this test process. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clientEnvFromFile, computeArraySum, eventually, hasDaskPython, PYTHON, requireService, UnicoreEmulator } from "@daskq/testing";
import { startDaskq } from "./daskq-process.js";

// No user config; cluster state files and TLS material go to a fresh directory.
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: mkdtempSync(join(tmpdir(), "daskq-cli-home-")), UNICORE_PASSWORD: "test123" };
const present = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const emulator = await UnicoreEmulator.start({ queueDelayMs: 200 });
afterAll(() => emulator.stop());

describe.runIf(present)("daskq with the UNICORE backend (UNICORE emulator)", () => {
  it("daskq up --backend unicore: the scheduler is a UNICORE job, the forwarded tls:// address is printed, a Python client computes through it, Ctrl-C aborts every job", async () => {
    const args = ["up", "--backend", "unicore", "--jobs", "1", "--cores", "1", "--memory", "1GB", "--python", PYTHON, "--set", `url=${emulator.baseUrl}`, "--set", "username=demouser", "--poll-interval", "0.5", "--no-status"];
    const up = startDaskq(args, env);
    const { child } = up;
    try {
      await up.waitFor("1/1 workers", 150_000);
      expect(up.output()).toContain("1/1 workers");
      const shown = /Scheduler: (tls:\/\/127\.0\.0\.1:\d+) \(forwarded over UNICORE port forwarding of job http:\/\/127\.0\.0\.1:\d+\/DEMO-SITE\/rest\/core\/jobs\/[0-9a-f-]+ to tls:\/\/\S+\)/.exec(up.output());
      expect(shown).not.toBeNull();
      const envFile = /in a shell: \. (\S+client\.env)/.exec(up.output())?.[1] as string;
      expect(await computeArraySum({ schedulerAddress: shown?.[1] as string, clientEnv: await clientEnvFromFile(envFile) }, 500)).toBe(250_000);
      expect(emulator.listJobs().filter((j) => j.status === "RUNNING").length).toBe(2);
    } finally {
      child.kill("SIGINT");
      await child;
    }
    expect(child.exitCode).toBe(0);
    expect(await eventually(() => emulator.activeJobs === 0, 30_000)).toBe(true);
  }, 240_000);
});
