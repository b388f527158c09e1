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

  it.runIf(available)("with its own copy of tsyringe, daskq run starts a cluster on the local backend", async () => {
    const result = await daskq(["run", "--backend", "local", "--jobs", "1", "--memory", "1GiB", "--", "/usr/bin/python3", "-c", "import os; print('scheduler', os.environ['DASK_SCHEDULER_ADDRESS'])"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^scheduler tls:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.exitCode).toBe(0);
  });
});
