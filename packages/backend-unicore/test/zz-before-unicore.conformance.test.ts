import { afterAll, describe } from "vitest";
import { backendConformanceSuite, PYTHON, UnicoreEmulator } from "@daskq/testing";
import { unicoreBackend } from "../src/index.js";

// The UNICORE EMULATOR of @daskq/testing runs in this process: it is always available.
const emulator = await UnicoreEmulator.start({ queueDelayMs: 200 });
afterAll(() => emulator.stop());

for (const placement of ["job", "local"] as const) {
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
    });
  });
}
