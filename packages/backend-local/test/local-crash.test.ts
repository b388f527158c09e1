/**
 * Crash-safe job ownership with the local backend: an application holding a cluster is killed
 * with SIGKILL (no handler runs); its watchdog cancels the jobs through the local backend's own
 * code and removes the temporary directories; `daskq ls` and `daskq cleanup` see it as dead.
 * While the application lives, `daskq cleanup` never touches its jobs.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { ClusterRecord } from "@daskq/core";
import { eventually, findProcessesInSessions, hasDaskPython, PYTHON, requireService } from "@daskq/testing";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const bin = `${root}packages/cli/dist/bin.js`;
const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

const APP = `
import { JobQueueCluster } from "@daskq/core";
import "@daskq/backend-local/register";
const cluster = await JobQueueCluster.create({ backend: "local", job: { cores: 1, memory: "1GiB", python: ${JSON.stringify(PYTHON)} }, pollIntervalMs: 500 });
await cluster.scale({ jobs: 2 });
await cluster.waitForWorkers(2, 60000);
console.log(JSON.stringify({ clusterId: cluster.clusterId, jobs: cluster.status().jobs.map((j) => Number(j.id)) }));
setInterval(() => {}, 1000);
`;

describe.runIf(available)("an application holding a local cluster is killed with SIGKILL", () => {
  it("its watchdog cancels the jobs and removes its files; daskq cleanup leaves a live cluster alone", async () => {
    const home = await mkdtemp(join(tmpdir(), "daskq-crash-home-"));
    const env = { PATH: process.env["PATH"] ?? "", DASKQ_HOME: home };
    const daskq = async (...args: string[]) => JSON.parse((await execa("node", [bin, ...args, "--json"], { cwd: root, env, extendEnv: false })).stdout) as Array<Record<string, unknown>>;
    const child = execa("node", ["--input-type=module", "-e", APP], { cwd: root, reject: false, env, extendEnv: false });
    const info = await new Promise<{ clusterId: string; jobs: number[] }>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line));
      });
      void child.then((r) => reject(new Error(`app ended early: ${r.stderr}`)));
    });
    const statePath = join(home, "state", `${info.clusterId}.json`);
    const live = JSON.parse(await readFile(statePath, "utf8")) as ClusterRecord;
    expect(live.jobs.map((j) => Number(j.id)).sort()).toEqual([...info.jobs].sort());
    expect(live.localTempDirs.length + live.runnerTempDirs.length).toBeGreaterThanOrEqual(2);
    // The cluster's own output directory is removed after a crash as close() removes it (a log-directory never is).
    const outputDir = join(homedir(), ".daskq", "clusters", info.clusterId);
    expect(live.runnerTempDirs).toContain(outputDir);

    expect((await daskq("ls")).map((c) => [c["clusterId"], c["condition"]])).toEqual([[info.clusterId, "live"]]);
    expect(await daskq("cleanup")).toEqual([]);
    expect((await findProcessesInSessions(info.jobs)).length).toBeGreaterThan(0);

    child.kill("SIGKILL");
    await child;
    expect(await eventually(async () => (await findProcessesInSessions(info.jobs)).length === 0, 30_000)).toBe(true);
    expect(await eventually(async () => (await daskq("ls"))[0]?.["condition"] === "dead-cleaned", 30_000)).toBe(true);
    for (const dir of [...live.localTempDirs, ...live.runnerTempDirs]) expect(existsSync(dir)).toBe(false);
    const cleaned = JSON.parse(await readFile(statePath, "utf8")) as ClusterRecord;
    expect([...(cleaned.cleanup?.cancelled ?? [])].map(Number).sort()).toEqual([...info.jobs].sort());

    const forgotten = await daskq("cleanup");
    expect(forgotten.map((c) => [c["clusterId"], c["removed"]])).toEqual([[info.clusterId, true]]);
    expect(existsSync(statePath)).toBe(false);
    await rm(home, { recursive: true, force: true });
  }, 180_000);
});
