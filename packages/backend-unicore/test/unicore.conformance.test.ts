/**
 * The shared conformance suite against the UNICORE EMULATOR of @daskq/testing (it runs in this
 * process: always available).
 *
 * `scheduler-placement: job` (UNICORE's default) runs the whole suite. `local` runs the cases
 * where the placement matters: those that create a cluster (where its scheduler runs, what the
 * workers connect to, what close() stops). The others drive the backend directly, with the same
 * code in either placement.
 */
import { afterAll, describe } from "vitest";
import { backendConformanceSuite, PYTHON, UnicoreEmulator, type ConformanceCase } from "@daskq/testing";
import { unicoreBackend } from "../src/index.js";

const emulator = await UnicoreEmulator.start({ queueDelayMs: 200 });
afterAll(() => emulator.stop());

const PLACEMENTS: ReadonlyArray<{ readonly placement: "job" | "local"; readonly cases?: readonly ConformanceCase[] }> = [
  { placement: "job" },
  { placement: "local", cases: ["worker-joins", "operation-counts", "failed-start"] },
];

for (const { placement, cases } of PLACEMENTS) {
  describe(`scheduler-placement: ${placement}`, () => {
    backendConformanceSuite({
      descriptor: unicoreBackend,
      available: () => true,
      howToStart: "The UNICORE emulator runs in the test process.",
      job: {
        url: emulator.baseUrl,
        username: "demouser",
        password: "test123",
        "scheduler-placement": placement,
        // The scheduler job keeps a python with distributed when the suite gives the WORKERS a missing one.
        "scheduler-job-description": { Executable: `${PYTHON} -m distributed.cli.dask_scheduler` },
        cores: 1,
        memory: "1GB",
      },
      ...(cases ? { cases } : {}),
    });
  });
}
