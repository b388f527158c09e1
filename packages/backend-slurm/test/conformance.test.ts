import { tmpdir } from "node:os";
import { join } from "node:path";
import { backendConformanceSuite } from "@daskq/testing";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const up = await slurmIsUp();

backendConformanceSuite({
  descriptor: slurmBackend,
  available: () => up,
  howToStart: START_SLURM,
  // The testbed node has 8 CPUs and RealMemory=4000 (MB): small jobs in the default partition.
  // A log directory keeps Slurm's default slurm-<id>.out files out of the working directory.
  job: { cores: 1, memory: "1GiB", queue: "debug", walltime: "00:10:00", "log-directory": join(tmpdir(), "daskq-slurm-conformance") },
});
