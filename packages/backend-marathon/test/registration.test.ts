import { findBackend, listBackends, silentLogger, LocalRunner } from "@daskq/core";
import { container as globalContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import * as marathon from "../src/index.js";

describe("registration", () => {
  it("importing the package index registers nothing; register(container) once; /register globally", async () => {
    expect(listBackends(globalContainer).map((b) => b.name)).not.toContain("marathon");
    const container = globalContainer.createChildContainer();
    marathon.register(container);
    marathon.register(container);
    expect(listBackends(container).filter((b) => b.name === "marathon")).toHaveLength(1);
    await import("../src/register.js");
    expect(findBackend(globalContainer, "marathon")).toBe(marathon.marathonBackend);
  });

  it("describes Marathon: keys, one process per task, an instance count as its array, no URL needed to create", () => {
    const d = marathon.marathonBackend;
    // Marathon enforces no walltime, so its workers get no lifetime and are never rotated.
    expect(d.defaults).toEqual({ processes: 1, walltime: null });
    expect(d.configKeys.filter((k) => k.secret).map((k) => k.name)).toEqual(["password", "token"]);
    const backend = d.create({ runner: new LocalRunner(), logger: silentLogger, clusterId: "daskq-ab12" });
    expect(backend.name).toBe("marathon");
    expect(backend.capabilities.arrays).toBe(true);
    expect((backend as marathon.MarathonBackend).appId).toBe("/daskq/daskq-ab12");
  });

  it("checks the URL and the CA file at the first request, naming the key", async () => {
    const make = (options: Record<string, unknown>) => marathon.marathonBackend.create({ runner: new LocalRunner(), logger: silentLogger, clusterId: "daskq-ab12", options });
    await expect(make({}).prepare?.()).rejects.toThrow(/^\[daskq:config\] jobqueue\.marathon\.url: expected Marathon's URL/);
    await expect(make({ url: "https://127.0.0.1:1", "ca-file": "/nonexistent/ca.pem" }).prepare?.()).rejects.toThrow(
      /^\[daskq:config\] jobqueue\.marathon\.ca-file: cannot read the CA file \/nonexistent\/ca\.pem/,
    );
  });
});
