import { findBackend, listBackends } from "@daskq/core";
import { container as globalContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import * as slurmrest from "../src/index.js";

describe("registration", () => {
  it("importing the package index registers nothing", () => {
    expect(listBackends(globalContainer).map((b) => b.name)).not.toContain("slurmrest");
  });

  it("register(container) makes the backend findable by name, once", () => {
    const container = globalContainer.createChildContainer();
    slurmrest.register(container);
    slurmrest.register(container);
    expect(listBackends(container).filter((b) => b.name === "slurmrest")).toHaveLength(1);
    expect(findBackend(container, "slurmrest")).toBe(slurmrest.slurmRestBackend);
  });

  it("the /register entry registers in the global container", async () => {
    await import("../src/register.js");
    expect(findBackend(globalContainer, "slurmrest")).toBe(slurmrest.slurmRestBackend);
  });

  it("has Slurm's keys and walltime reading, plus how to reach slurmrestd; the token is secret", () => {
    const d = slurmrest.slurmRestBackend;
    expect(d.walltimeTwoPart).toBe("minutes:seconds");
    expect(d.defaults).toEqual({ walltime: "00:30:00" });
    expect(d.configKeys.map((k) => k.name)).toEqual(["job-cpu", "job-mem", "arrays", "array-max-running", "url", "socket", "token", "user", "api-version", "request-timeout"]);
    expect(d.configKeys.find((k) => k.name === "token")?.secret).toBe(true);
  });
});
