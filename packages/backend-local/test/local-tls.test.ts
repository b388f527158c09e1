/**
 * TLS by default: a private CA per cluster; the scheduler and the workers use it; a client
 * without the cluster's certificate (or with another cluster's) is refused, one with it computes;
 * daskq's own connection verifies the CA. The files are private and removed on close.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createClusterCertificates, DaskComm, JobQueueCluster } from "@daskq/core";
import { computeArraySum, hasDaskPython, PYTHON, requireService, runPython } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

/** A Python client with the given env; prints `ok <n workers>` or the error. */
const CONNECT = [
  "import sys; from distributed import Client",
  "try:",
  "    c = Client(sys.argv[1], timeout=3)",
  "    print('ok', len(c.scheduler_info()['workers']))",
  "except Exception as e:",
  "    print('refused', type(e).__name__, e)",
].join("\n");

describe.runIf(available)("TLS on by default (local backend)", () => {
  it("only a client with the cluster's certificate gets in; the worker joined over TLS; files are private and removed on close", async () => {
    const home = await mkdtemp(join(tmpdir(), "daskq-tls-home-"));
    const cluster = await JobQueueCluster.create({ backend: localBackend, job: { cores: 1, memory: "1GiB", python: PYTHON }, env: { PATH: process.env["PATH"] ?? "", DASKQ_HOME: home }, handleSignals: false });
    try {
      await cluster.scale({ jobs: 1 });
      await cluster.waitForWorkers(1, 90_000);
      const tls = cluster.security;
      expect(tls).toBeDefined();
      expect(cluster.schedulerAddress).toMatch(/^tls:\/\//);
      expect(cluster.status().workers[0]?.address).toMatch(/^tls:\/\//);
      expect((await stat(tls?.directory as string)).mode & 0o777).toBe(0o700);
      for (const file of Object.values(tls?.files ?? {})) expect((await stat(file)).mode & 0o777).toBe(0o600);

      // With the certificate: computes.
      expect(await computeArraySum(cluster, 1000)).toBe(1_000_000);
      // Without any certificate, over TLS or plain TCP: refused.
      const bare = await runPython(CONNECT, [cluster.schedulerAddress], 60_000);
      expect(bare.stdout).toMatch(/^refused/);
      const plain = await runPython(CONNECT, [cluster.schedulerAddress.replace("tls://", "tcp://")], 60_000);
      expect(plain.stdout).toMatch(/^refused/);
      // With another cluster's certificate (a different CA): refused by the scheduler.
      const other = await createClusterCertificates("daskq-other");
      const dir = await mkdtemp(join(tmpdir(), "daskq-other-ca-"));
      const files = { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
      await writeFile(files.ca, other.ca);
      await writeFile(files.cert, other.cert);
      await writeFile(files.key, other.key, { mode: 0o600 });
      const stranger = await runPython(CONNECT, [cluster.schedulerAddress], 60_000, {
        DASK_DISTRIBUTED__COMM__TLS__CA_FILE: files.ca,
        DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT: files.cert,
        DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY: files.key,
      });
      expect(stranger.stdout).toMatch(/^refused/);
      // daskq's own connection verifies the CA: with the other CA it does not connect.
      await expect(DaskComm.connect(cluster.schedulerAddress, { tls: files, timeoutMs: 10_000 })).rejects.toThrow();
      const ours = await DaskComm.connect(cluster.schedulerAddress, { tls: tls?.files, timeoutMs: 10_000 });
      ours.close();
    } finally {
      await cluster.close();
    }
    expect(existsSync(cluster.security?.directory as string)).toBe(false);
    await rm(home, { recursive: true, force: true });
  }, 240_000);

  it("tls: false runs plain TCP", async () => {
    const cluster = await JobQueueCluster.create({ backend: localBackend, job: { cores: 1, memory: "1GiB", python: PYTHON }, env: { PATH: process.env["PATH"] ?? "" }, handleSignals: false, tls: false });
    try {
      expect(cluster.schedulerAddress).toMatch(/^tcp:\/\//);
      expect(cluster.security).toBeUndefined();
      expect(cluster.tls).toBe(false);
      expect(cluster.clientEnv).toEqual({ DASK_SCHEDULER_ADDRESS: cluster.schedulerAddress });
    } finally {
      await cluster.close();
    }
  });
});
