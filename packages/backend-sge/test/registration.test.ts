import { findBackend, listBackends, loadBackendConfig, silentLogger } from "@daskq/core";
import { container as globalContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import * as sge from "../src/index.js";
import { FakeRunner } from "./helpers.js";

describe("registration", () => {
  it("importing the package index registers nothing", () => {
    expect(listBackends(globalContainer).map((b) => b.name)).not.toContain("sge");
  });

  it("register(container) makes the backend findable by name, once", () => {
    const container = globalContainer.createChildContainer();
    sge.register(container);
    sge.register(container);
    expect(listBackends(container).filter((b) => b.name === "sge")).toHaveLength(1);
    expect(findBackend(container, "sge")).toBe(sge.sgeBackend);
  });

  it("the /register entry registers in the global container", async () => {
    await import("../src/register.js");
    expect(findBackend(globalContainer, "sge")).toBe(sge.sgeBackend);
  });

  it("describes Grid Engine: keys, defaults, seconds for bare walltimes, a backend from create()", () => {
    const d = sge.sgeBackend;
    expect(d.name).toBe("sge");
    expect(d.walltimeBareUnit).toBe("seconds");
    expect(d.walltimeTwoPart).toBe("minutes:seconds");
    expect(d.configKeys.map((k) => `${k.name}:${k.kind}:${String(k.default)}`)).toEqual([
      "account:string:undefined",
      "project:string:undefined",
      "parallel-environment:string:smp",
      "memory-resource:string:h_vmem",
      "resource-spec:string:undefined",
      "arrays:boolean:true",
      "array-max-running:integer:undefined",
    ]);
    const backend = d.create({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
    expect(backend.name).toBe("sge");
    expect(backend.capabilities.arrays).toBe(true);
    const noArrays = d.create({ runner: new FakeRunner(), logger: silentLogger, options: { arrays: false }, clusterId: "daskq-test" });
    expect(noArrays.capabilities.arrays).toBe(false);
  });

  it("takes dask-jobqueue's `project` key without a deprecation warning, and puts it in backendOptions", () => {
    const config = loadBackendConfig(sge.sgeBackend, { job: { cores: 1, memory: "1GB", project: "p" }, env: {}, homeDir: "/nonexistent" });
    expect(config.warnings).toEqual([]);
    expect(config.values["project"]).toBe("p");
    expect(config.values["parallel-environment"]).toBe("smp");
    expect(config.values["memory-resource"]).toBe("h_vmem");
  });
});
