/**
 * The shared conformance suite against the PBS EMULATOR (packages/testing/emulators/pbs): real local
 * processes, real Dask workers, the documented PBS Pro and Torque output formats. The flavour is
 * found by the backend itself (`flavour: auto` asks the emulator's `qstat --version`).
 *
 * PBS Pro runs the whole suite. Torque runs the cases whose code differs by flavour: its status
 * (`qstat -f -1 -t`), its cancel answers, its arrays (`-t`), its header and its output file (the
 * failed start reads its error line from there). A worker joining and the operation counts run
 * core's reconciler and the same worker command in either flavour: Pro's run covers them.
 */
import { join } from "node:path";
import { backendConformanceSuite, type ConformanceCase } from "@daskq/testing";
import { afterAll } from "vitest";
import { pbsBackend } from "../src/index.js";
import { emulatedServer } from "./emulator.js";

const HOW = "The PBS emulator needs only Node.js (packages/testing/emulators/pbs); it could not be found.";

const FLAVOURS: ReadonlyArray<{ readonly flavour: "pro" | "torque"; readonly cases?: readonly ConformanceCase[] }> = [
  { flavour: "pro" },
  { flavour: "torque", cases: ["status-of-many", "harmless-cancel", "array", "failed-start"] },
];

for (const { flavour, cases } of FLAVOURS) {
  const server = emulatedServer(flavour);
  afterAll(() => server.dispose());
  backendConformanceSuite({
    // Its own name, so that the two runs are told apart (and read their own config section).
    descriptor: { ...pbsBackend, name: `pbs-${flavour}-emulator` },
    // The emulator ships with the repo: always there.
    available: () => true,
    howToStart: HOW,
    runner: server.runner,
    // One-core jobs; a log directory keeps output files out of the working directory.
    job: { cores: 1, memory: "1GiB", walltime: "00:10:00", "log-directory": join(server.stateDir, "logs") },
    ...(cases ? { cases } : {}),
  });
}
