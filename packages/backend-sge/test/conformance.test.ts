import { tmpdir } from "node:os";
import { join } from "node:path";
import { backendConformanceSuite } from "@daskq/testing";
import { sgeBackend } from "../src/index.js";
import { START_SGE, sgeIsUp } from "./sge-available.js";

const up = await sgeIsUp();

backendConformanceSuite({
  descriptor: sgeBackend,
  available: () => up,
  howToStart: START_SGE,
  // The testbed's all.q has 8 slots on one host: small jobs with the default -pe smp 1 and
  // h_vmem=1G (the worker's virtual memory limit). A log directory keeps Grid Engine's
  // <name>.o<id> files out of the working directory (-cwd).
  job: { cores: 1, memory: "1GiB", queue: "all.q", walltime: "00:10:00", "log-directory": join(tmpdir(), "daskq-sge-conformance") },
});
