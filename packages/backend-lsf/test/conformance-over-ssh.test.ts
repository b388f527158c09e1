/**
 * The shared conformance suite over SSH against the LSF EMULATOR: the emulator is copied to the
 * testbed's login user through SFTP, and every bsub, bjobs and bkill runs there as that user,
 * through ONE SSH connection; the scheduler runs on that side and the client uses the forward.
 */
import { afterAll } from "vitest";
import { backendConformanceSuite, lsfEmulatorRunner, SSH_TESTBED, requireService, sshTestbedAvailable, sshTestbedRunner, uploadEmulator, withLsfEmulator, type LsfEmulatorOptions } from "@daskq/testing";
import { lsfBackend } from "../src/index.js";

// The emulator ships with the repo; only the testbed's sshd is a service (under CI=true its absence fails).
const available = requireService("the testbed sshd", sshTestbedAvailable(), SSH_TESTBED.howToStart);
const setup = sshTestbedRunner();
let emulator: LsfEmulatorOptions = {};
let root = "";
if (available) {
  root = await uploadEmulator(setup, "lsf");
  await setup.writeFile(`${root}/conf/lsf.conf`, "# lsf.conf of a daskq LSF EMULATOR cluster\n");
  emulator = { bin: `${root}/bin`, stateDir: `${root}/state`, env: { LSF_ENVDIR: `${root}/conf`, DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL: "2" } };
}

afterAll(async () => {
  if (root) {
    await lsfEmulatorRunner(emulator, setup).run("bkill", ["0"]).catch(() => undefined);
    await setup.run("rm", ["-rf", "--", root]).catch(() => undefined);
  }
  await setup.close();
});

backendConformanceSuite({
  descriptor: withLsfEmulator(lsfBackend, emulator),
  available: () => available,
  howToStart: `The LSF emulator needs Node.js on the login side. ${SSH_TESTBED.howToStart}`,
  runner: sshTestbedRunner(),
  job: { cores: 1, memory: "1GiB", walltime: "00:10", "lsf-units": "KB", "log-directory": "/tmp/daskq-over-ssh/lsf-conformance" },
});
