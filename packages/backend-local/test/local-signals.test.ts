/**
 * A library user's process gets SIGTERM or SIGINT: the cluster cleans up (no job, no worker, no
 * scheduler left) and the signal then ends the process as it would have. Runs the BUILT packages
 * in a child Node process, as an embedding application would.
 */
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { findProcesses, findProcessesInSessions, hasDaskPython, PYTHON, requireService } from "@daskq/testing";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

const APP = `
import { JobQueueCluster } from "@daskq/core";
import "@daskq/backend-local/register";
const cluster = await JobQueueCluster.create({ backend: "local", job: { cores: 1, memory: "1GiB", python: ${JSON.stringify(PYTHON)} }, pollIntervalMs: 500 });
await cluster.scale({ jobs: 2 });
await cluster.waitForWorkers(2, 60000);
console.log(JSON.stringify({ address: cluster.schedulerAddress, pid: cluster.schedulerPid, jobs: cluster.status().jobs.map((j) => Number(j.id)) }));
setInterval(() => {}, 1000);
`;

describe.runIf(available)("signals in an application that embeds daskq", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`${signal} cancels every job, stops the scheduler, then ends the process (exit ${code})`, async () => {
      const child = execa("node", ["--input-type=module", "-e", APP], { cwd: root, reject: false, env: { PATH: process.env["PATH"] ?? "" }, extendEnv: false });
      const info = await new Promise<{ address: string; pid: number; jobs: number[] }>((resolve, reject) => {
        let out = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split("\n").find((l) => l.startsWith("{"));
          if (line) resolve(JSON.parse(line));
        });
        void child.then((r) => reject(new Error(`app ended early: ${r.stderr}`)));
      });
      expect((await findProcessesInSessions(info.jobs)).length).toBeGreaterThan(0);
      child.kill(signal);
      const result = await child;
      expect(result.exitCode ?? 128 + (result.signal === "SIGTERM" ? 15 : 2)).toBe(code);
      expect(await findProcessesInSessions(info.jobs)).toEqual([]);
      expect((await findProcesses(info.address)).length).toBe(0);
      expect((await findProcesses("daskq-scheduler-")).some((p) => p.pid === info.pid)).toBe(false);
    });
  }
});
