import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { findProcesses, hasDaskPython, requireService } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root, startDaskq } from "./daskq-process.js";

// No user config; cluster state files go to a fresh directory.
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: mkdtempSync(join(tmpdir(), "daskq-cli-home-")) };
const daskq = (args: string[], timeout = 120_000) => execa("node", [bin, ...args], { cwd: root, env, extendEnv: false, reject: false, timeout });

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe("daskq command line", () => {
  it("prints help for every command", async () => {
    const top = await daskq(["--help"]);
    expect(top.exitCode).toBe(0);
    for (const command of ["up", "run", "logs", "job-script", "config", "backends"]) {
      expect(top.stdout).toContain(command);
      if (command === "backends") continue;
      const help = await daskq([command, "--help"]);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain(`Usage: daskq ${command}`);
    }
  });

  it("rejects unknown commands and options with a usage error", async () => {
    expect((await daskq(["frobnicate"])).exitCode).toBe(2);
    const bad = await daskq(["config", "--no-such-option"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/\[daskq:cli\].*no-such-option/);
  });

  it("names the installed backends when an unknown one is asked for", async () => {
    const result = await daskq(["config", "--backend", "nosuch"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/no backend named 'nosuch'.*local/);
  });

  it("lists the installed backends, as JSON too", async () => {
    const result = await daskq(["backends", "--json"]);
    const names = (JSON.parse(result.stdout) as Array<{ name: string }>).map((b) => b.name);
    expect(names).toContain("local");
    // Every backend the CLI depends on registers itself (a package without a register entry is skipped silently).
    expect(names).toEqual(expect.arrayContaining(["drmaa", "lsf", "marathon", "pbs", "sge", "slurm", "slurmrest", "unicore"]));
  });

  it("ends quietly with code 0 when its reader closes early (daskq backends | head -1)", async () => {
    const child = spawn("node", [bin, "backends"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    // The reader is gone before the first line is written: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "close")) as [number | null];
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("slurmrest is installed, and daskq config shows its token as (set, hidden), never its text", async () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdW4iOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ";
    const result = await daskq(["config", "--backend", "slurmrest", "--set", "url=http://login1:6820", "--set", `token=${token}`, "--json"]);
    expect(result.exitCode).toBe(0);
    const keys = (JSON.parse(result.stdout) as { keys: Record<string, { value: unknown }> }).keys;
    expect(keys["url"]?.value).toBe("http://login1:6820");
    expect(keys["token"]?.value).toBe("(set, hidden)");
    expect(result.stdout + result.stderr).not.toContain("c2VjcmV0LXNpZ25hdHVyZQ");
  });

  it("loads third-party daskq-backend-* packages found in node_modules", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-plugin-"));
    const pkg = join(dir, "node_modules", "daskq-backend-toy");
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, "package.json"), JSON.stringify({ name: "daskq-backend-toy", version: "1.0.0", type: "module", main: "index.js" }));
    // A site's own backend: it needs nothing from daskq but the well-known registry token.
    await writeFile(
      join(pkg, "index.js"),
      [
        "export function register(container) {",
        "  container.register(Symbol.for('daskq.Backend'), { useValue: {",
        "    name: 'toy', description: 'a site backend', configKeys: [], create: () => { throw new Error('not here'); } } });",
        "}",
      ].join("\n"),
    );
    try {
      const result = await execa("node", [bin, "backends"], { cwd: dir, env, extendEnv: false, reject: false });
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/^toy\s+a site backend$/m);
      expect(result.stdout).toMatch(/^local\s+/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("prints a job script with every user value shell-quoted", async () => {
    const result = await daskq([
      "job-script", "--backend", "local", "--cores", "4", "--memory", "8GB", "--processes", "2",
      "--set", 'worker-extra-args=["--resources", "GPU=1; touch /tmp/pwned"]',
      "--set", "python=/opt/my python/bin/python3",
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(result.stdout).toContain(
      "'/opt/my python/bin/python3' -m distributed.cli.dask_worker tcp://SCHEDULER-ADDRESS:8786 --name dask-worker-0 --nthreads 2 --memory-limit 4000000000 --nworkers 2 --nanny --death-timeout 60 --resources 'GPU=1; touch /tmp/pwned'",
    );
  });

  it("shows each config value with its source, as text and JSON", async () => {
    const text = await daskq(["config", "--backend", "local", "--cores", "3"]);
    expect(text.stdout).toMatch(/cores\s+3\s+option cores/);
    expect(text.stdout).toMatch(/death-timeout\s+60\s+default/);
    const json = await daskq(["config", "--backend", "local", "--cores", "3", "--json"]);
    expect(json.exitCode).toBe(0);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain("cores");
  });

  describe.runIf(available)("with a real Dask cluster", () => {
    it("daskq up --adapt keeps the minimum and logs its decisions", async () => {
      const up = startDaskq(["up", "--backend", "local", "--adapt", "--minimum", "1", "--maximum", "2", "--memory", "1GiB"], env);
      const { child } = up;
      await up.waitFor("1/1 workers", 60_000);
      // The status page's JSON carries the same decision, with its reason.
      const statusUrl = /Status: +(\S+)/.exec(up.output())?.[1] as string;
      const report = (await (await fetch(statusUrl.replace("/status?", "/status.json?"))).json()) as { decisions: Array<{ action: string; reason: string }> };
      child.kill("SIGINT");
      const result = await child;
      expect(up.output()).toContain("1/1 workers, 0 jobs queued");
      expect(up.errors()).toMatch(/daskq adapt: target 1 job\(s\) .* scale up to 1 job/);
      expect(report.decisions.find((d) => d.action === "up")?.reason).toMatch(/scale up to 1 job/);
      expect(result.exitCode).toBe(0);
    });

    it("refuses --adapt together with --jobs", async () => {
      const result = await daskq(["up", "--adapt", "--jobs", "2"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("[daskq:cli] give --adapt or --jobs/--workers, not both");
    });

    it("daskq run computes on the cluster, exits with the command's code and leaves nothing behind", async () => {
      const ok = await daskq(["run", "--backend", "local", "--workers", "2", "--cores", "1", "--memory", "1GiB", "--", "/usr/bin/python3", "examples/array_sum.py"]);
      // daskq writes nothing to stderr (the Python client may, e.g. an asyncio note at its shutdown under load).
      expect(ok.stderr).not.toMatch(/daskq/i);
      expect(ok.stdout).toContain("workers: 2");
      expect(ok.stdout).toContain("sum of ones: 4000000");
      expect(ok.exitCode).toBe(0);

      const failing = await daskq(["run", "--backend", "local", "--jobs", "1", "--", "sh", "-c", 'test -n "$DASK_SCHEDULER_ADDRESS" && exit 7']);
      expect(failing.exitCode).toBe(7);
      expect(await findProcesses("daskq-local-job")).toEqual([]);
    }, 180_000);

    it("daskq up reports progress, prints links through Dask's link template, serves its page with a token, and Ctrl-C tears everything down", async () => {
      const hub = { ...env, JUPYTERHUB_SERVICE_PREFIX: "/user/alice/", DASK_DISTRIBUTED__DASHBOARD__LINK: "{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status" };
      const up = startDaskq(["up", "--backend", "local", "--jobs", "2", "--memory", "1GiB"], hub);
      const { child } = up;
      await up.waitFor("2/2 workers", 90_000);
      expect(up.output()).toMatch(/Scheduler: tls:\/\/127\.0\.0\.1:\d+/);
      expect(up.output()).toContain("Security(tls_ca_file=");
      expect(up.output()).toContain("2/2 workers, 0 jobs queued");
      // Behind JupyterHub: the printed links carry the prefix; the page itself listens on 127.0.0.1.
      const status = /^Status: +(\/user\/alice\/proxy\/(\d+)\/status\?token=(\S+)) +\(on this machine: (http:\/\/127\.0\.0\.1:(\d+)\/status\?token=\S+)\)$/m.exec(up.output());
      expect(status, up.output()).not.toBeNull();
      const [, , proxiedPort, token, local, localPort] = status as RegExpExecArray;
      expect(proxiedPort).toBe(localPort);
      expect(up.output()).toMatch(/^Dashboard: (\/user\/alice\/proxy\/\d+\/status|\(not served: .*bokeh.*\))$/m);
      const json = await fetch((local as string).replace("/status?", "/status.json?"));
      expect(json.status).toBe(200);
      const report = (await json.json()) as { counts: { running: number; workers: number }; workers: Array<{ jobId: string; memory: number }> };
      expect(report.counts).toMatchObject({ running: 2, workers: 2 });
      expect(report.workers.every((w) => w.jobId && w.memory > 0)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${localPort}/status.json`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${localPort}/status.json?token=${token}x`)).status).toBe(403);
      const address = /Scheduler: (\S+)/.exec(up.output())?.[1] as string;
      child.kill("SIGINT");
      const result = await child;
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain("closing the cluster");
      expect(await findProcesses(address)).toEqual([]);
      expect(await findProcesses("daskq-local-job")).toEqual([]);
    }, 150_000);
  });
});
