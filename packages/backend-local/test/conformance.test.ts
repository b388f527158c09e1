import { backendConformanceSuite } from "@daskq/testing";
import { localBackend } from "../src/index.js";

backendConformanceSuite({
  descriptor: localBackend,
  available: () => true,
  howToStart: "The local backend needs nothing but sh, setsid and ps.",
  job: { cores: 1, memory: "1GiB" },
});
