import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { container } from "tsyringe";
import { afterAll, describe, expect, it } from "vitest";
import { AuthenticationError, DaskqError, registerBackend, silentLogger, type Backend, type ClusterRecord } from "../../src/index.js";
import { cleanUpCluster } from "../../src/ownership/clean-up-cluster.js";
import { readClusterRecord } from "../../src/ownership/cluster-record.js";
import { clusterRecord } from "./cluster-record-fixture.js";

const dir = await mkdtemp(join(tmpdir(), "daskq-cleanup-test-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A backend whose cancel (or close) fails with `error`, counting the attempts. */
function failing(name: string, error: Error, where: "cancel" | "close" = "cancel") {
  const calls = { cancel: 0, close: 0 };
  const backend: Backend = {
    name,
    capabilities: { arrays: false },
    submit: async () => [],
    status: async () => new Map(),
    cancel: async () => {
      calls.cancel++;
      if (where === "cancel") throw error;
    },
    close: async () => {
      calls.close++;
      if (where === "close") throw error;
    },
    logTail: async () => undefined,
  };
  const child = container.createChildContainer();
  registerBackend(child, { name, description: "fails", configKeys: [], create: () => backend });
  return { calls, container: child };
}

function record(backend: string): ClusterRecord {
  return clusterRecord({
    clusterId: `daskq-${backend}`,
    backend,
    jobs: [
      { id: "7", state: "running" },
      { id: "8", state: "queued" },
    ],
  });
}

describe("cleaning up a dead cluster whose batch system refuses the credentials", () => {
  it("stops at the first refusal, keeps the jobs recorded and says why in the state file", async () => {
    const { calls, container: child } = failing("refusing", new AuthenticationError("refusing", "GET /jobs failed: HTTP 401 Invalid token"));
    const path = join(dir, "refusing.json");
    const cleaned = await cleanUpCluster(path, record("refusing"), { logger: silentLogger, container: child, cancelRetryMs: 600_000 });
    expect(calls.cancel).toBe(1);
    expect(cleaned.phase).toBe("open");
    expect(cleaned.jobs.map((j) => j.id)).toEqual(["7", "8"]);
    expect(cleaned.cleanup?.cancelled).toEqual([]);
    expect(cleaned.cleanup?.error).toMatch(/^daskq-refusing: \[daskq:refusing\] GET \/jobs failed: HTTP 401 Invalid token\. Refused credentials are not retried, and the jobs stay recorded: cancel 8 7 by hand, or run daskq cleanup/);
    expect(await readClusterRecord(path)).toEqual(cleaned);
  });

  it("retries any other cancel failure until its deadline", async () => {
    const { calls, container: child } = failing("flaky", new DaskqError("flaky", "controller down"));
    const cleaned = await cleanUpCluster(join(dir, "flaky.json"), record("flaky"), { logger: silentLogger, container: child, cancelRetryMs: 1_500 });
    expect(calls.cancel).toBe(2);
    expect(cleaned.cleanup?.error).toBe("daskq-flaky: [daskq:flaky] controller down");
  });

  it("counts a failed close (where Marathon deletes the cluster's app): the jobs stay recorded", async () => {
    const { calls, container: child } = failing("closing", new AuthenticationError("closing", "DELETE /v2/apps/x failed: 401"), "close");
    const cleaned = await cleanUpCluster(join(dir, "closing.json"), record("closing"), { logger: silentLogger, container: child });
    expect(calls).toEqual({ cancel: 1, close: 1 });
    expect(cleaned.phase).toBe("open");
    expect(cleaned.jobs.map((j) => j.id)).toEqual(["7", "8"]);
    expect(cleaned.cleanup?.error).toMatch(/DELETE \/v2\/apps\/x failed: 401\. Refused credentials are not retried/);
  });

  it("recognises the refusal of a backend that brings its own copy of core (by the class name)", async () => {
    class AuthenticationErrorOfAnotherCopy extends Error {
      override name = "AuthenticationError";
    }
    const { calls, container: child } = failing("copy", new AuthenticationErrorOfAnotherCopy("[daskq:copy] HTTP 403"));
    await cleanUpCluster(join(dir, "copy.json"), record("copy"), { logger: silentLogger, container: child, cancelRetryMs: 600_000 });
    expect(calls.cancel).toBe(1);
  });
});
