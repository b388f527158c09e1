import { backendConformanceSuite, SSH_TESTBED, sshTestbedAvailable, sshTestbedRunner } from "@daskq/testing";
import { slurmBackend } from "../src/index.js";
import { START_SLURM, slurmIsUp } from "./slurm-available.js";

const up = (await slurmIsUp()) && sshTestbedAvailable();

// The same suite, with every command run as the testbed's unprivileged user through ONE SSH
// connection, the scheduler on the far side (remote placement) and the client through the forward.
backendConformanceSuite({
  descriptor: slurmBackend,
  available: () => up,
  howToStart: `${START_SLURM} ${SSH_TESTBED.howToStart}`,
  runner: sshTestbedRunner(),
  job: { cores: 1, memory: "1GiB", queue: "debug", walltime: "00:10:00", "log-directory": "/tmp/daskq-over-ssh/slurm-conformance" },
});
