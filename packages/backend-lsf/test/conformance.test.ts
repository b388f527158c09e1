/**
 * The shared conformance suite, with real Dask workers, against the LSF EMULATOR: every bsub, bjobs
 * and bkill the backend runs goes to packages/testing/emulators/lsf (first on PATH for those
 * commands only), which runs the jobs as real local processes.
 */
import { join } from "node:path";
import { LSF_EMULATOR_REQUIREMENTS, backendConformanceSuite, createLsfEmulatorCluster, withLsfEmulator } from "@daskq/testing";
import { afterAll } from "vitest";
import { lsfBackend } from "../src/index.js";

const cluster = await createLsfEmulatorCluster({}, { DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL: "2" });

afterAll(async () => {
  await cluster.dispose();
});

backendConformanceSuite({
  descriptor: withLsfEmulator(lsfBackend, cluster),
  // The emulator ships with the repo: always there.
  available: () => true,
  howToStart: LSF_EMULATOR_REQUIREMENTS,
  // Small jobs; -M in KB as with a default lsf.conf. A log directory keeps the job reports (LSF would mail them).
  job: { cores: 1, memory: "1GiB", walltime: "00:10", "lsf-units": "KB", "log-directory": join(cluster.stateDir, "..", "logs") },
});
