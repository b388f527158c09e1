import { findBackend, listBackends, silentLogger } from "@daskq/core";
import { container as globalContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import * as lsf from "../src/index.js";
import { FakeRunner } from "./helpers.js";

describe("registration", () => {
  it("importing the package index registers nothing", () => {
    expect(listBackends(globalContainer).map((b) => b.name)).not.toContain("lsf");
  });

  it("register(container) makes the backend findable by name, once", () => {
    const container = globalContainer.createChildContainer();
    lsf.register(container);
    lsf.register(container);
    expect(listBackends(container).filter((b) => b.name === "lsf")).toHaveLength(1);
    expect(findBackend(container, "lsf")).toBe(lsf.lsfBackend);
  });

  it("the /register entry registers in the global container", async () => {
    await import("../src/register.js");
    expect(findBackend(globalContainer, "lsf")).toBe(lsf.lsfBackend);
  });

  it("describes LSF: keys, a 30-minute default, hours:minutes and bare minutes, a backend from create()", () => {
    const d = lsf.lsfBackend;
    expect(d.name).toBe("lsf");
    expect(d.walltimeTwoPart).toBe("hours:minutes");
    expect(d.walltimeBareUnit).toBe("minutes");
    expect(d.defaults).toEqual({ walltime: "00:30" });
    expect(d.configKeys.map((k) => `${k.name}:${k.kind}:${String(k.default)}`)).toEqual([
      "ncpus:integer:undefined",
      "mem:bytes:undefined",
      "lsf-units:string:undefined",
      "use-stdin:boolean:true",
      "arrays:boolean:true",
      "array-max-running:integer:undefined",
    ]);
    const backend = d.create({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
    expect(backend.name).toBe("lsf");
    expect(backend.capabilities.arrays).toBe(true);
    expect(d.create({ runner: new FakeRunner(), logger: silentLogger, options: { arrays: false }, clusterId: "daskq-test" }).capabilities.arrays).toBe(false);
  });
});
