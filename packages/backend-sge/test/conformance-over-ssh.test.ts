import { backendConformanceSuite, SSH_TESTBED, sshTestbedAvailable, sshTestbedRunner } from "@daskq/testing";
import { sgeBackend } from "../src/index.js";
import { START_SGE, sgeIsUp } from "./sge-available.js";

const up = (await sgeIsUp()) && sshTestbedAvailable();

// The same suite, with every command run as the testbed's unprivileged user through ONE SSH
// connection, the scheduler on the far side (remote placement) and the client through the forward.
backendConformanceSuite({
  descriptor: sgeBackend,
  available: () => up,
  howToStart: `${START_SGE} ${SSH_TESTBED.howToStart}`,
  runner: sshTestbedRunner(),
  job: { cores: 1, memory: "1GiB", queue: "all.q", walltime: "00:10:00", "log-directory": "/tmp/daskq-over-ssh/sge-conformance" },
});
