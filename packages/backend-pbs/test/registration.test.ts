import { findBackend, listBackends, silentLogger } from "@daskq/core";
import { container as globalContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import * as pbs from "../src/index.js";
import { FakeRunner } from "./helpers.js";

describe("registration", () => {
  it("importing the package index registers nothing", () => {
    expect(listBackends(globalContainer).map((b) => b.name)).not.toContain("pbs");
  });

  it("register(container) makes the backend findable by name, once", () => {
    const container = globalContainer.createChildContainer();
    pbs.register(container);
    pbs.register(container);
    expect(listBackends(container).filter((b) => b.name === "pbs")).toHaveLength(1);
    expect(findBackend(container, "pbs")).toBe(pbs.pbsBackend);
  });

  it("the /register entry registers in the global container", async () => {
    await import("../src/register.js");
    expect(findBackend(globalContainer, "pbs")).toBe(pbs.pbsBackend);
  });

  it("describes PBS: keys, defaults, walltimes read as [[HH:]MM:]SS, a backend from create()", () => {
    const d = pbs.pbsBackend;
    expect(d.name).toBe("pbs");
    expect(d.walltimeTwoPart).toBe("minutes:seconds");
    expect(d.walltimeBareUnit).toBe("seconds");
    expect(d.configKeys.map((k) => `${k.name}:${k.kind}:${String(k.default)}`)).toEqual([
      "resource-spec:string:undefined",
      "flavour:string:auto",
      "arrays:boolean:true",
      "array-max-running:integer:undefined",
    ]);
    const backend = d.create({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
    expect(backend.name).toBe("pbs");
    expect(backend.capabilities.arrays).toBe(true);
    expect(backend.arrayIndex).toEqual({ variable: "PBS_ARRAY_INDEX", first: 0 });
    expect(d.create({ runner: new FakeRunner(), logger: silentLogger, options: { arrays: false }, clusterId: "daskq-test" }).capabilities.arrays).toBe(false);
  });
});
