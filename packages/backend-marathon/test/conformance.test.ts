/** The backend conformance suite for Marathon, against the Marathon EMULATOR of @daskq/testing. */
import { afterAll } from "vitest";
import { backendConformanceSuite, startMarathonEmulator } from "@daskq/testing";
import { marathonBackend } from "../src/index.js";

const marathon = await startMarathonEmulator({ stagingMs: 100 });
afterAll(() => marathon.close());

backendConformanceSuite({
  descriptor: marathonBackend,
  // The emulator is part of the test: it always runs.
  available: () => true,
  howToStart: "The Marathon emulator starts inside the test.",
  // The emulator serves the Mesos agent's /files/read too, so one URL is both.
  job: { cores: 1, memory: "1GiB", url: marathon.url, "agent-url": marathon.url },
});
