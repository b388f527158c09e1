/** `daskq up --backend marathon` against the Marathon EMULATOR of @daskq/testing, with real workers. */
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, hasDaskPython, PYTHON, requireService, startMarathonEmulator, type MarathonEmulator } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root, startDaskq } from "./daskq-process.js";

const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home" };
const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe.runIf(available)("daskq on Marathon (emulator)", () => {
  let marathon: MarathonEmulator;
  beforeAll(async () => {
    marathon = await startMarathonEmulator({ stagingMs: 100 });
  });
  afterAll(async () => {
    await marathon?.close();
  });

  it("daskq backends lists marathon, and a missing url is a clear config error", async () => {
    const backends = await execa("node", [bin, "backends"], { cwd: root, env, extendEnv: false, reject: false });
    expect(backends.stdout).toMatch(/^marathon\b/m);
    const missing = await execa("node", [bin, "up", "--backend", "marathon", "--workers", "1", "--cores", "1", "--memory", "1GB"], { cwd: root, env, extendEnv: false, reject: false, timeout: 60_000 });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain("[daskq:config] jobqueue.marathon.url: expected Marathon's URL");
  });

  it("daskq up --backend marathon --set url=... --workers 4 runs 4 workers as tasks of one app; Ctrl-C deletes it", async () => {
    const up = startDaskq(
      ["up", "--backend", "marathon", "--set", `url=${marathon.url}`, "--set", `agent-url=${marathon.url}`, "--workers", "4",
        "--cores", "1", "--memory", "500MB", "--python", PYTHON, "--set", "nanny=false", "--poll-interval", "0.5"],
      env,
    );
    const { child } = up;
    await up.waitFor("4/4 workers", 90_000);
    expect(up.output()).toContain("4/4 workers");
    const post = marathon.requests.find((r) => r.method === "POST" && r.path === "/v2/apps");
    const appId = (post?.body as { id: string }).id;
    expect(marathon.app(appId)?.tasks.size).toBe(4);
    child.kill("SIGINT");
    expect((await child).exitCode).toBe(0);
    expect(marathon.app(appId)).toBeUndefined();
    expect(await eventually(() => marathon.livePids().length === 0, 30_000)).toBe(true);
  });
});
