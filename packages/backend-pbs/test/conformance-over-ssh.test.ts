/**
 * The shared conformance suite over SSH against the PBS EMULATOR (PBS Pro flavour): the emulator is
 * copied to the testbed's login user through SFTP, and every qsub, qstat and qdel runs there as that
 * user, through ONE SSH connection; the scheduler runs on that side and the client uses the forward.
 */
import { afterAll } from "vitest";
import { backendConformanceSuite, pbsEmulatorRunner, SSH_TESTBED, requireService, sshTestbedAvailable, sshTestbedRunner, uploadEmulator, type PbsEmulatorOptions } from "@daskq/testing";
import { pbsBackend } from "../src/index.js";

// The emulator ships with the repo; only the testbed's sshd is a service (under CI=true its absence fails).
const available = requireService("the testbed sshd", sshTestbedAvailable(), SSH_TESTBED.howToStart);
const setup = sshTestbedRunner();
let emulator: PbsEmulatorOptions = {};
let root = "";
if (available) {
  root = await uploadEmulator(setup, "pbs");
  await setup.run("mkdir", ["-p", `${root}/state/workdir`]);
  emulator = { bin: `${root}/bin`, stateDir: `${root}/state`, killDelaySeconds: 1 };
}

afterAll(async () => {
  if (root) {
    const left = await pbsEmulatorRunner("pro", emulator, setup).run("qstat", []).catch(() => undefined);
    const ids = (left?.stdout ?? "").split("\n").map((l) => /^(\d+\.\S+)/.exec(l.trim())?.[1]).filter((id): id is string => id !== undefined);
    if (ids.length > 0) await pbsEmulatorRunner("pro", emulator, setup).run("qdel", ids).catch(() => undefined);
    await setup.run("rm", ["-rf", "--", root]).catch(() => undefined);
  }
  await setup.close();
});

backendConformanceSuite({
  descriptor: { ...pbsBackend, name: "pbs-pro-emulator-over-ssh", create: (context) => pbsBackend.create({ ...context, runner: pbsEmulatorRunner("pro", emulator, context.runner) }) },
  available: () => available,
  howToStart: `The PBS emulator needs Node.js on the login side. ${SSH_TESTBED.howToStart}`,
  runner: sshTestbedRunner(),
  job: { cores: 1, memory: "1GiB", walltime: "00:10:00", "log-directory": "/tmp/daskq-over-ssh/pbs-conformance" },
});
