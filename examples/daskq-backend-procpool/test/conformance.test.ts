import { afterAll } from "vitest";
import { backendConformanceSuite } from "@daskq/testing";
import { procpoolBackend, startProcpoolAgent } from "../src/index.js";

// The system under test: an agent of our own, on a free port, with a token.
const agent = await startProcpoolAgent({ slots: 8, token: "conformance-token" });
afterAll(() => agent.close());

backendConformanceSuite({
  descriptor: procpoolBackend,
  available: () => true,
  howToStart: "The test starts its own procpool agent.",
  job: { url: agent.url, token: "conformance-token", cores: 1, memory: "1GiB" },
});
