import { findBackend, listBackends, silentLogger } from "@daskq/core";
import { container as globalContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import * as slurm from "../src/index.js";
import { FakeRunner } from "./helpers.js";

describe("registration", () => {
  it("importing the package index registers nothing", () => {
    expect(listBackends(globalContainer).map((b) => b.name)).not.toContain("slurm");
  });

  it("register(container) makes the backend findable by name, once", () => {
    const container = globalContainer.createChildContainer();
    slurm.register(container);
    slurm.register(container);
    expect(listBackends(container).filter((b) => b.name === "slurm")).toHaveLength(1);
    expect(findBackend(container, "slurm")).toBe(slurm.slurmBackend);
  });

  it("the /register entry registers in the global container", async () => {
    await import("../src/register.js");
    expect(findBackend(globalContainer, "slurm")).toBe(slurm.slurmBackend);
  });

  it("describes Slurm: keys, defaults, minutes:seconds walltimes, a backend from create()", () => {
    const d = slurm.slurmBackend;
    expect(d.name).toBe("slurm");
    expect(d.walltimeTwoPart).toBe("minutes:seconds");
    expect(d.configKeys.map((k) => `${k.name}:${k.kind}:${String(k.default)}`)).toEqual([
      "job-cpu:integer:undefined",
      "job-mem:bytes:undefined",
      "arrays:boolean:true",
      "array-max-running:integer:undefined",
    ]);
    const backend = d.create({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
    expect(backend.name).toBe("slurm");
    expect(backend.capabilities.arrays).toBe(true);
    const noArrays = d.create({ runner: new FakeRunner(), logger: silentLogger, options: { arrays: false }, clusterId: "daskq-test" });
    expect(noArrays.capabilities.arrays).toBe(false);
  });
});
