import { tmpdir } from "node:os";
import { join } from "node:path";
import { backendConformanceSuite } from "@daskq/testing";
import { slurmRestBackend } from "../src/index.js";
import { SLURMREST_URL, START_SLURMREST, freshToken, slurmrestIsUp } from "./slurmrest-available.js";

const up = await slurmrestIsUp();
const token = up ? await freshToken(3600) : undefined;

backendConformanceSuite({
  descriptor: slurmRestBackend,
  available: () => up,
  howToStart: START_SLURMREST,
  // The same small jobs as backend-slurm's conformance run, through slurmrestd with a JWT.
  job: { cores: 1, memory: "1GiB", queue: "debug", walltime: "00:10:00", "log-directory": join(tmpdir(), "daskq-slurmrest-conformance"), url: SLURMREST_URL, token },
});
