import { cp, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasDaskPython, requireService } from "@daskq/testing";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

/**
 * The CLI installed the way npm lays out a global install whose tsyringe could not be shared: the
 * CLI's files (package.json and dist, as published) in `<dir>/node_modules/@daskq/cli` with its OWN
 * copy of tsyringe nested under it, every other dependency beside it (linked to this checkout).
 * Core and the backends then use another tsyringe copy, with another global container.
 */
async function installCliWithOwnTsyringe(dir: string): Promise<string> {
  const modules = join(dir, "node_modules");
  const cli = join(modules, "@daskq", "cli");
  await mkdir(join(cli, "node_modules"), { recursive: true });
  await cp(join(root, "packages/cli/package.json"), join(cli, "package.json"));
  await cp(join(root, "packages/cli/dist"), join(cli, "dist"), { recursive: true });
  await cp(join(root, "node_modules/tsyringe"), join(cli, "node_modules/tsyringe"), { recursive: true, dereference: true });
  const manifest = JSON.parse(await readFile(join(cli, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const name of Object.keys(manifest.dependencies)) {
    if (name === "tsyringe") continue;
    await mkdir(join(modules, name, ".."), { recursive: true });
    await symlink(join(root, "node_modules", name), join(modules, name));
  }
  return join(cli, "dist", "bin.js");
}

/**
 * A site's install of the example third-party backend (examples/daskq-backend-procpool): built with
 * its own `tsc` config, then placed as npm would put the published package (package.json with
 * `exports` and no `main`, dist) in `<dir>/node_modules`, beside its peer dependencies.
 */
async function installProcpool(dir: string): Promise<string> {
  const source = join(root, "examples/daskq-backend-procpool");
  const installed = join(dir, "node_modules", "daskq-backend-procpool");
  await mkdir(join(dir, "node_modules", "@daskq"), { recursive: true });
  await execa("npx", ["tsc", "-p", join(source, "tsconfig.json"), "--outDir", join(installed, "dist")], { cwd: root });
  await cp(join(source, "package.json"), join(installed, "package.json"));
  for (const peer of ["@daskq/core", "tsyringe"]) await symlink(join(root, "node_modules", peer), join(dir, "node_modules", peer));
  return installed;
}

describe("the daskq command as installed", () => {
  let dir: string;
  let bin: string;
  let env: Record<string, string>;
  const daskq = (args: string[]) => execa("node", [bin, ...args], { cwd: dir, env, extendEnv: false, reject: false, timeout: 120_000 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "daskq-installed-"));
    bin = await installCliWithOwnTsyringe(dir);
    env = { PATH: process.env["PATH"] ?? "", HOME: join(dir, "home"), DASKQ_HOME: join(dir, "daskq-home") };
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("with its own copy of tsyringe, finds the backends it registered for every command", async () => {
    const script = await daskq(["job-script", "--backend", "local"]);
    expect(script.stderr).toBe("");
    expect(script.stdout).toContain("-m distributed.cli.dask_worker");
  });

  it.runIf(available)("a third-party backend installed beside the user's work is listed and runs a Python client's computation", async () => {
    const site = join(dir, "site");
    const installed = await installProcpool(site);
    const token = "site-token";
    const agent = execa("node", [join(installed, "dist", "agent-main.js"), "--port", "0", "--slots", "4"], { env: { ...env, PROCPOOL_TOKEN: token }, extendEnv: false, reject: false });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        agent.stdout?.on("data", (chunk: Buffer) => {
          const printed = /procpool agent at (\S+)/.exec(chunk.toString());
          if (printed) resolve(printed[1] as string);
        });
        void agent.then((r) => reject(new Error(`the agent ended: ${r.stderr}`)));
      });
      // The daskq of this checkout, run where the site installed the backend: found by its discovery.
      const inSite = (args: string[], extra: Record<string, string> = {}) =>
        execa("node", [join(root, "packages/cli/dist/bin.js"), ...args], { cwd: site, env: { ...env, ...extra }, extendEnv: false, reject: false, timeout: 180_000 });
      const listed = await inSite(["backends"]);
      expect(listed.stderr).toBe("");
      expect(listed.stdout).toMatch(/^procpool\s+worker jobs run by a procpool agent over HTTP/m);
      const run = await inSite(["run", "--backend", "procpool", "--set", `url=${url}`, "--workers", "2", "--", "/usr/bin/python3", join(root, "examples/array_sum.py")], { PROCPOOL_TOKEN: token });
      // daskq itself says nothing (the Python client may log its own asyncio noise under load).
      expect(run.stderr).not.toMatch(/^daskq (warning|error)|\[daskq:/m);
      expect(run.stdout).toContain("workers: 2");
      expect(run.stdout).toContain("sum of ones: 4000000");
      expect(run.exitCode).toBe(0);
      // Every job the agent ran has ended: daskq cancelled them on its way out.
      const jobs = (await (await fetch(`${url}/jobs?ids=1,2,3,4`, { headers: { authorization: `Bearer ${token}` } })).json()) as { jobs: Array<{ state: string }> };
      expect(jobs.jobs.length).toBeGreaterThanOrEqual(2);
      for (const job of jobs.jobs) expect(["killed", "done", "failed"]).toContain(job.state);
    } finally {
      agent.kill("SIGTERM");
      await agent;
    }
  }, 300_000);

  it.runIf(available)("with its own copy of tsyringe, daskq run starts a cluster on the local backend", async () => {
    const result = await daskq(["run", "--backend", "local", "--jobs", "1", "--memory", "1GiB", "--", "/usr/bin/python3", "-c", "import os; print('scheduler', os.environ['DASK_SCHEDULER_ADDRESS'])"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^scheduler tls:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.exitCode).toBe(0);
  });
});
