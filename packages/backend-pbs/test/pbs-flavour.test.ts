import { LocalRunner } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { detectFlavour, flavourFromVersion } from "../src/pbs-flavour.js";
import { readPbsOptions } from "../src/pbs-options.js";
import { FakeRunner } from "./helpers.js";

describe("flavour", () => {
  it("tells PBS Pro from Torque by what qstat --version prints", () => {
    // OpenPBS/PBS Pro: PRINT_VERSION_AND_EXIT in src/include/pbs_version.h.in prints "pbs_version = <v>".
    expect(flavourFromVersion("pbs_version = 22.05.11\n")).toBe("pro");
    expect(flavourFromVersion("pbs_version = PBSPro_13.1.0.160576\n")).toBe("pro");
    // Torque 4+: src/cmds/qstat.c prints "Version: <v>\nCommit: <hash>" (on stderr).
    expect(flavourFromVersion("\nVersion: 6.1.3\nCommit: 0123abcd\n")).toBe("torque");
    expect(flavourFromVersion("version: 2.5.13\n")).toBe("torque");
    expect(flavourFromVersion("qstat: invalid option -- '-'\n")).toBeUndefined();
    // SGE's qstat has no --version: its usage text names no PBS version.
    expect(flavourFromVersion("SGE 8.1.9\nusage: qstat [options]\n")).toBeUndefined();
  });

  it("reads stdout and stderr together", async () => {
    const runner = new FakeRunner().reply("qstat", { exitCode: 0, stdout: "", stderr: "Version: 6.1.3\nCommit: x\n" });
    expect(await detectFlavour(runner)).toBe("torque");
  });

  it("says what to set when qstat cannot be run at all", async () => {
    const runner = new LocalRunner();
    const broken = { ...runner, description: "x", run: () => Promise.reject(new Error("could not run qstat: ENOENT")) } as unknown as LocalRunner;
    await expect(detectFlavour(broken)).rejects.toThrow(/could not run 'qstat --version'.*Set jobqueue\.pbs\.flavour/);
  });

  it("validates the flavour and the other keys, naming them", () => {
    expect(readPbsOptions({ flavour: "Torque" }).flavour).toBe("torque");
    expect(() => readPbsOptions({ flavour: "slurm" })).toThrow(/flavour.*expected one of auto, pro, torque, moab/);
    expect(() => readPbsOptions({ arrays: "yes" })).toThrow(/arrays/);
    expect(() => readPbsOptions({ "array-max-running": 0 })).toThrow(/array-max-running/);
    expect(readPbsOptions({ "resource-spec": "  " }).resourceSpec).toBeUndefined();
    expect(readPbsOptions({}, { PBS_ACCOUNT: "acct" }).accountFallback).toBe("acct");
    expect(readPbsOptions({}, { PBS_ACCOUNT: "" }).accountFallback).toBeUndefined();
  });
});
