import type { ClusterRecord } from "../../src/index.js";
import { currentProcess } from "../../src/ownership/process-identity.js";

/**
 * The cluster record the ownership tests start from: an open cluster owned by this process, on
 * the Slurm backend, with no jobs and no temporary directories. Each test overrides what it is about.
 */
export function clusterRecord(overrides: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    version: 1,
    clusterId: "daskq-test",
    backend: "slurm",
    backendOptions: {},
    submitsVia: "local",
    owner: currentProcess(),
    watchdog: undefined,
    cwd: "/",
    createdAt: new Date().toISOString(),
    schedulerAddress: undefined,
    phase: "open",
    jobs: [],
    localTempDirs: [],
    runnerTempDirs: [],
    ...overrides,
  };
}
