import { describe, expect, it } from "vitest";
import { defaultProcesses, resolveJobSpec } from "../../src/config/job-spec-from-config.js";
import { loadConfig, type ResolvedConfig } from "../../src/config/load-config.js";
import { ConfigError } from "../../src/errors.js";
import { TEST_KEYS } from "./helpers.js";

const FALLBACKS = { python: "/usr/bin/python3" };

/** Resolves options only: no files (DASK_ROOT_CONFIG and home point nowhere). */
function config(options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ResolvedConfig {
  return loadConfig({
    section: "slurm",
    keys: TEST_KEYS,
    options,
    env: { DASK_ROOT_CONFIG: "/nonexistent/etc/dask", ...env },
    homeDir: "/nonexistent/home",
  });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("defaultProcesses", () => {
  it("follows dask-jobqueue: cores up to 4, else the smallest factor >= sqrt(cores)", () => {
    expect([1, 2, 3, 4].map(defaultProcesses)).toEqual([1, 2, 3, 4]);
    expect(defaultProcesses(6)).toBe(3);
    expect(defaultProcesses(8)).toBe(4);
    expect(defaultProcesses(12)).toBe(4);
    expect(defaultProcesses(16)).toBe(4);
    expect(defaultProcesses(24)).toBe(6);
    expect(defaultProcesses(36)).toBe(6);
    expect(defaultProcesses(7)).toBe(7);
    expect(defaultProcesses(128)).toBe(16);
  });
});

describe("resolveJobSpec", () => {
  it("maps every key to its JobSpec field, with defaults", () => {
    const spec = resolveJobSpec(config({ cores: 8, memory: "16GiB" }), FALLBACKS);
    expect(spec).toEqual({
      jobName: "dask-worker",
      cores: 8,
      memory: 2 ** 34,
      processes: 4,
      python: "/usr/bin/python3",
      interface: undefined,
      deathTimeout: 60,
      localDirectory: undefined,
      workerCommand: "distributed.cli.dask_worker",
      workerExtraArgs: [],
      nanny: true,
      prologue: [],
      epilogue: [],
      extraDirectives: [],
      directivesSkip: [],
      logDirectory: undefined,
      shebang: "#!/usr/bin/env bash",
      walltime: 1800,
      lifetimeMargin: undefined,
      lifetimeStagger: 0,
      queue: undefined,
      account: undefined,
      env: {},
      backendOptions: {},
    });
  });

  it("uses configured values, stringifies env and collects backend keys", () => {
    const spec = resolveJobSpec(
      config({
        name: "w",
        cores: 4,
        memory: "8GB",
        processes: 2,
        python: "/opt/py/bin/python",
        interface: "ib0",
        deathTimeout: 30,
        localDirectory: "$TMPDIR",
        workerExtraArgs: ["--lifetime", "1h"],
        nanny: false,
        jobScriptPrologue: ["module load python"],
        jobScriptEpilogue: ["echo done"],
        jobExtraDirectives: ["--exclusive"],
        jobDirectivesSkip: ["--mem"],
        logDirectory: "/logs",
        shebang: "#!/bin/bash",
        walltime: "01:00:00",
        queue: "gpu",
        account: "proj",
        env: { OMP_NUM_THREADS: 1, DEBUG: true, GONE: null },
        jobCpu: 4,
        jobMem: "7GB",
      }),
      FALLBACKS,
    );
    expect(spec).toMatchObject({
      jobName: "w",
      processes: 2,
      python: "/opt/py/bin/python",
      interface: "ib0",
      deathTimeout: 30,
      localDirectory: "$TMPDIR",
      workerExtraArgs: ["--lifetime", "1h"],
      nanny: false,
      prologue: ["module load python"],
      epilogue: ["echo done"],
      extraDirectives: ["--exclusive"],
      directivesSkip: ["--mem"],
      logDirectory: "/logs",
      shebang: "#!/bin/bash",
      walltime: 3600,
      queue: "gpu",
      account: "proj",
      env: { OMP_NUM_THREADS: "1", DEBUG: "true" },
      backendOptions: { "job-cpu": 4, "job-mem": 7e9 },
    });
  });

  it("requires cores, then memory, saying where to set them", () => {
    expect(errorOf(() => resolveJobSpec(config({ memory: "1GB" }), FALLBACKS)).message).toBe(
      "[daskq:config] jobqueue.slurm.cores: required but not set; set it in a config file, DASK_JOBQUEUE__SLURM__CORES, " +
        "or the cores option (e.g. --cores 4)",
    );
    expect(errorOf(() => resolveJobSpec(config({ cores: 4 }), FALLBACKS)).message).toBe(
      "[daskq:config] jobqueue.slurm.memory: required but not set; set it in a config file, DASK_JOBQUEUE__SLURM__MEMORY, " +
        "or the memory option (e.g. --memory 16GB)",
    );
  });

  it("says which layer unset a required key", () => {
    const resolved = config({ cores: 4, memory: "1GB" }, { DASK_JOBQUEUE__SLURM__SHEBANG: "None" });
    expect(errorOf(() => resolveJobSpec(resolved, FALLBACKS)).message).toContain(
      "jobqueue.slurm.shebang: required but not set (env DASK_JOBQUEUE__SLURM__SHEBANG sets it to null)",
    );
  });

  it("rejects processes outside 1..cores and zero cores or memory, naming the source", () => {
    const tooMany = errorOf(() => resolveJobSpec(config({ cores: 4, memory: "1GB", processes: 8 }), FALLBACKS));
    expect(tooMany.message).toBe(
      "[daskq:config] option processes: jobqueue.slurm.processes: 8 processes do not fit a job of 4 cores; " +
        "expected a whole number from 1 to cores (4), e.g. 1",
    );
    const fromEnv = config({ cores: 4, memory: "1GB" }, { DASK_JOBQUEUE__SLURM__PROCESSES: "0" });
    expect(errorOf(() => resolveJobSpec(fromEnv, FALLBACKS)).message).toContain(
      "env DASK_JOBQUEUE__SLURM__PROCESSES: jobqueue.slurm.processes: 0 processes",
    );
    expect(errorOf(() => resolveJobSpec(config({ cores: 0, memory: "1GB" }), FALLBACKS)).message).toContain(
      "option cores: jobqueue.slurm.cores: must be at least 1",
    );
    expect(errorOf(() => resolveJobSpec(config({ cores: 1, memory: 0 }), FALLBACKS)).message).toContain(
      "option memory: jobqueue.slurm.memory: must be more than 0 bytes",
    );
  });

  it("reads the walltime rotation keys and rejects a margin or stagger that leaves no lifetime, naming the key", () => {
    const spec = resolveJobSpec(config({ cores: 1, memory: "1GB", walltime: "00:10:00", "lifetime-margin": "90s", "lifetime-stagger": "30s" }), FALLBACKS);
    expect([spec.walltime, spec.lifetimeMargin, spec.lifetimeStagger]).toEqual([600, 90, 30]);
    expect(errorOf(() => resolveJobSpec(config({ cores: 1, memory: "1GB", walltime: "00:02:00", "lifetime-margin": "2m" }), FALLBACKS)).message).toBe(
      "[daskq:config] option lifetime-margin: jobqueue.slurm.lifetime-margin: 120s is not shorter than the walltime (120s): " +
        "the workers would have no lifetime; expected a duration below the walltime, e.g. 24s, or 0 for no rotation",
    );
    expect(errorOf(() => resolveJobSpec(config({ cores: 1, memory: "1GB", walltime: "00:02:00", "lifetime-stagger": "50s" }), FALLBACKS)).message).toContain(
      "option lifetime-stagger: jobqueue.slurm.lifetime-stagger: 50s leaves the workers no lifetime (walltime 120s - margin 24s - 2 x stagger <= 0)",
    );
    expect(errorOf(() => resolveJobSpec(config({ cores: 1, memory: "1GB", "lifetime-margin": "-5m" }), FALLBACKS)).message).toContain(
      'option lifetime-margin: jobqueue.slurm.lifetime-margin: invalid walltime "-5m"',
    );
    // No rotation, so nothing to check: margin 0, or no walltime.
    expect(resolveJobSpec(config({ cores: 1, memory: "1GB", walltime: "00:01:00", "lifetime-margin": 0 }), FALLBACKS).lifetimeMargin).toBe(0);
    expect(resolveJobSpec(config({ cores: 1, memory: "1GB", walltime: null, "lifetime-margin": "1h" }), FALLBACKS).walltime).toBeUndefined();
  });

  it("rejects env entries that cannot be exported", () => {
    expect(errorOf(() => resolveJobSpec(config({ cores: 1, memory: "1GB", env: { "A-B": "1" } }), FALLBACKS)).message).toContain(
      'option env: jobqueue.slurm.env: "A-B" is not a valid environment variable name',
    );
    expect(errorOf(() => resolveJobSpec(config({ cores: 1, memory: "1GB", env: { A: [1] } }), FALLBACKS)).message).toContain(
      "the value of A is not a scalar",
    );
  });
});
