/**
 * A cluster driving the REAL Slurm as the testbed's unprivileged user through a private, real sshd
 * that this file counts, drops and restarts. Longer versions: bench/ssh.mjs.
 */
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DaskqError, JobQueueCluster, SshRunner, silentLogger, type BackendDescriptor, type CommandResult, type RunOptions } from "@daskq/core";
import { computeArraySum, CountingRunner, eventually, requireService, SSH_TESTBED, sshTestbedAvailable, startPrivateSshd, type PrivateSshd } from "@daskq/testing";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const enabled = requireService("Slurm and the testbed sshd", (await slurmIsUp()) && sshTestbedAvailable(), `${START_SLURM}; ${SSH_TESTBED.howToStart}`);
const job = { cores: 1, memory: "1GiB", queue: "debug", walltime: "00:10:00", nanny: false, "log-directory": "/tmp/daskq-over-ssh/slurm-acceptance" };
const env = { PATH: process.env["PATH"] ?? "" };

/** The Slurm jobs named `name` (any user), as squeue lists them. */
const listed = async (name: string) => (await execa("squeue", ["-h", "-r", "-n", name, "-o", "%i"])).stdout.split("\n").filter((l) => l.trim() !== "");

/** The slurm backend, with its status() calls counted. */
function countingStatus(): { descriptor: BackendDescriptor; statusCalls: () => number } {
  let calls = 0;
  const descriptor: BackendDescriptor = {
    ...slurmBackend,
    create: (context) => {
      const backend = slurmBackend.create(context);
      const status = backend.status.bind(backend);
      backend.status = (ids) => {
        calls++;
        return status(ids);
      };
      return backend;
    },
  };
  return { descriptor, statusCalls: () => calls };
}

describe.runIf(enabled)("Slurm over SSH (acceptance)", () => {
  let sshd: PrivateSshd;
  beforeAll(async () => {
    sshd = await startPrivateSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  const sshRunner = () => SshRunner.to(sshd.alias, { configFile: sshd.configFile, env: {}, reconnectDelayMs: 500, logger: silentLogger });

  // The jobs wait in the DOWN partition: the connection and the commands are what is counted here
  // (workers over SSH: the conformance suite; 32 real workers: bench/ssh.mjs --workers 32).
  it("32 jobs over ONE TCP connection for the whole life of the cluster, ONE command per poll", { timeout: 180_000 }, async () => {
    const before = await sshd.connections();
    const ssh = sshRunner();
    const runner = new CountingRunner(ssh);
    const { descriptor, statusCalls } = countingStatus();
    const cluster = await JobQueueCluster.create({ backend: descriptor, job: { ...job, queue: "down" }, env, runner, pollIntervalMs: 500, handleSignals: false });
    let name = "";
    try {
      expect(cluster.schedulerAddress).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
      expect(cluster.workerSchedulerAddress).not.toBe(cluster.schedulerAddress);
      await cluster.scale({ jobs: 32 });
      expect(await eventually(() => cluster.status().jobs.length === 32 && cluster.status().jobs.every((j) => j.native === "PENDING"), 60_000)).toBe(true);
      // Steady state: every command is the poll's squeue, one per status() call.
      runner.reset();
      const polls = statusCalls();
      await new Promise((r) => setTimeout(r, 3_000));
      expect(statusCalls() - polls).toBeGreaterThanOrEqual(2);
      expect(runner.calls.map((c) => c.command)).toEqual(Array(statusCalls() - polls).fill("squeue"));
      name = (await execa("squeue", ["-h", "-j", cluster.status().jobs[0]?.id ?? "", "-o", "%j"])).stdout.trim();
      expect(name).toMatch(/^dask-worker-daskq-[0-9a-f]{8}$/);
      expect(await listed(name)).toHaveLength(32);
    } finally {
      await cluster.close();
      await runner.close();
    }
    expect(ssh.connectionsOpened).toBe(1);
    expect((await sshd.connections()) - before).toBe(1);
    expect(await listed(name)).toEqual([]);
  });

  it("sshd killed and restarted mid-run: the cluster reconnects, keeps its jobs, and the forward works again; nothing leaks or doubles", { timeout: 180_000 }, async () => {
    const ssh = sshRunner();
    const cluster = await JobQueueCluster.create({ backend: slurmBackend, job, env, runner: ssh, pollIntervalMs: 500, handleSignals: false });
    let name = "";
    try {
      await cluster.scale({ jobs: 2 });
      await cluster.waitForWorkers(2, 120_000);
      const ids = cluster.status().jobs.map((j) => j.id).sort();
      name = (await execa("squeue", ["-h", "-j", ids[0] as string, "-o", "%j"])).stdout.trim();
      // A computation on the login node's side runs through the outage.
      const computing = computeArraySum({ schedulerAddress: cluster.workerSchedulerAddress, clientEnv: cluster.clientEnv }, 2000);
      await sshd.restart();
      expect(await computing).toBe(4_000_000);
      expect(await eventually(() => ssh.connectionsOpened === 2 && cluster.status().counts.workers === 2, 60_000)).toBe(true);
      expect(cluster.status().jobs.map((j) => j.id).sort()).toEqual(ids);
      expect((await listed(name)).sort()).toEqual(ids);
      // A client through the printed (forwarded) address works again.
      expect(await computeArraySum(cluster, 500)).toBe(250_000);
    } finally {
      await cluster.close();
    }
    expect(await listed(name)).toEqual([]);
  });

  it("a submission whose answer was lost with the connection is found again by name, not submitted twice", { timeout: 180_000 }, async () => {
    const ssh = sshRunner();
    let dropped = false;
    // sbatch really runs; then the connection drops before daskq hears the job id.
    const losing = new (class extends CountingRunner {
      override async run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
        const result = await super.run(command, args, options);
        if (command === "sbatch" && !dropped) {
          dropped = true;
          ssh.connection.dropCurrent();
          throw new DaskqError("ssh", "sbatch was interrupted: the connection was lost; it may or may not have run");
        }
        return result;
      }
    })(ssh);
    const cluster = await JobQueueCluster.create({ backend: slurmBackend, job, env, runner: losing, pollIntervalMs: 500, handleSignals: false });
    let name = "";
    try {
      await cluster.scale({ jobs: 1 });
      await cluster.waitForWorkers(1, 120_000);
      const [tracked] = cluster.status().jobs;
      name = (await execa("squeue", ["-h", "-j", tracked?.id ?? "", "-o", "%j"])).stdout.trim();
      expect(dropped).toBe(true);
      expect(losing.count("sbatch")).toBe(1);
      expect(cluster.status().jobs).toHaveLength(1);
      expect(await listed(name)).toEqual([tracked?.id]);
    } finally {
      await cluster.close();
      await losing.close();
    }
    expect(await listed(name)).toEqual([]);
  });
});
