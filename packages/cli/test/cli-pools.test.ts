/**
 * `daskq config --pools` and `daskq up --pools`: a heterogeneous cluster from a pools file, with a
 * local `cpu` pool and a `gpu` pool on the REAL Slurm whose workers advertise GPU=1. A real Python
 * client computes one graph across both pools and checks where each task ran.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { eventually, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { slurmIsUp, START_SLURM } from "../../backend-slurm/test/slurm-available.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = `${root}packages/cli/dist/bin.js`;
const dir = mkdtempSync(join(tmpdir(), "daskq-cli-pools-"));
const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: join(dir, "home") };
const daskq = (args: string[]) => execa("node", [bin, ...args], { cwd: root, env, extendEnv: false, reject: false, timeout: 120_000 });

const dask = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const slurm = requireService("Slurm", await slurmIsUp(), START_SLURM);

function poolsFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const POOLS = poolsFile(
  "pools.yaml",
  [
    "jobqueue:",
    "  local:",
    "    cores: 1",
    "    memory: 1GiB",
    `    python: ${PYTHON}`,
    "  slurm-gpu:",
    "    cores: 1",
    "    memory: 500MB",
    "    queue: debug",
    "    walltime: '00:10:00'",
    `    python: ${PYTHON}`,
    `    log-directory: ${join(dir, "logs")}`,
    "  pools:",
    "    cpu: {backend: local, maximum-jobs: 1}",
    "    gpu: {backend: slurm, config-name: slurm-gpu, resources: {GPU: 1}, maximum-jobs: 1}",
    "",
  ].join("\n"),
);

describe.runIf(dask)("daskq with a pools file", () => {
  it("daskq config --pools shows each pool's values and where they came from", async () => {
    const result = await daskq(["config", "--pools", POOLS]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("pool cpu: backend local, jobqueue.local, jobs 0..1");
    expect(result.stdout).toContain("pool gpu: backend slurm, jobqueue.slurm-gpu, jobs 0..1, resources GPU=1");
    expect(result.stdout).toMatch(new RegExp(`queue\\s+debug\\s+.*${POOLS.replaceAll(".", "\\.")}`));
    const json = JSON.parse((await daskq(["config", "--pools", POOLS, "--json"])).stdout) as Array<{ pool: string; resources: object }>;
    expect(json.map((p) => [p.pool, p.resources])).toEqual([
      ["cpu", {}],
      ["gpu", { GPU: 1 }],
    ]);
  });

  it("names the file and key of a bad pools file, and refuses job options next to --pools", async () => {
    const bad = poolsFile("bad.yaml", "jobqueue:\n  pools:\n    gpu: {backend: slurm, resources: {GPU: -1}}\n");
    const result = await daskq(["config", "--pools", bad]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${bad}: jobqueue.pools.gpu.resources.GPU: expected a number > 0, got -1`);
    const unknown = poolsFile("unknown.yaml", "jobqueue:\n  pools:\n    cpu: {backend: local, cores: 4}\n");
    expect((await daskq(["config", "--pools", unknown])).stderr).toContain(`${unknown}: jobqueue.pools.cpu.cores: unknown key`);
    const mixed = await daskq(["up", "--pools", POOLS, "--cores", "2"]);
    expect(mixed.exitCode).toBe(1);
    expect(mixed.stderr).toContain("with --pools, job settings go in the pools file (jobqueue.<config-name>); got --cores");
  });

  it.runIf(slurm)("daskq up --pools --adapt: a local cpu pool and a Slurm gpu pool compute one graph; the GPU task grows only the gpu pool", async () => {
    const child = execa("node", [bin, "up", "--pools", POOLS, "--adapt", "--json", "--no-status", "--poll-interval", "0.5"], { cwd: root, env, extendEnv: false, reject: false });
    let out = "";
    const info = await new Promise<{ schedulerAddress: string; clusterId: string; clientEnv: Record<string, string> }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no JSON from daskq up: ${out}`)), 90_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((l) => l.startsWith("{\"schedulerAddress\""));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
    });
    try {
      const result = await runPython(
        [
          "import sys; from distributed import Client, get_worker",
          "c = Client(sys.argv[1], timeout=30)",
          "x = c.submit(lambda: (20, get_worker().name), pure=False)",
          "y = c.submit(lambda a: (a[0] + 1, get_worker().name), x, resources={'GPU': 1}, pure=False)",
          "print('plain', x.result(timeout=180)[1])",
          "print('gpu', *y.result(timeout=180))",
        ].join("\n"),
        [info.schedulerAddress],
        200_000,
        info.clientEnv,
      );
      expect(result.stderr).not.toMatch(/Traceback/);
      expect(result.stdout).toMatch(new RegExp(`plain ${info.clusterId}-\\d+\\n`));
      expect(result.stdout).toMatch(new RegExp(`gpu 21 ${info.clusterId}-gpu-\\d+`));
      const ours = (await execa("squeue", ["-h", "-o", "%i %j"])).stdout.split("\n").filter((l) => l.includes(`${info.clusterId}-gpu`));
      expect(ours.length).toBeLessThanOrEqual(1);
    } finally {
      child.kill("SIGINT");
    }
    const done = await child;
    expect(done.exitCode).toBe(0);
    expect(await eventually(async () => !(await execa("squeue", ["-h", "-o", "%j"])).stdout.includes(info.clusterId), 30_000)).toBe(true);
  }, 300_000);
});
