import { backendConformanceSuite } from "@daskq/testing";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const up = await slurmIsUp();

backendConformanceSuite({
  descriptor: slurmBackend,
  available: () => up,
  howToStart: START_SLURM,
  // The testbed node has 8 CPUs and RealMemory=4000 (MB): small jobs in the default partition.
  // No log-directory: job output goes to the directory daskq owns for each cluster
  // (~/.daskq/clusters/<id>/logs), which is how a failed start shows Slurm's own error line.
  job: { cores: 1, memory: "1GiB", queue: "debug", walltime: "00:10:00" },
});
