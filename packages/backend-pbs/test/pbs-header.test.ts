import { ConfigError, loadBackendConfig, renderJobScript, resolveJobSpec, silentLogger, workerLaunch } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createPbsBackend, pbsBackend } from "../src/pbs-descriptor.js";
import { defaultResourceSpec, formatPbsMemory, formatPbsWalltime } from "../src/pbs-header.js";
import { FakeRunner, PRO_VERSION, makeSpec } from "./helpers.js";

const backendFor = (options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
  createPbsBackend({ runner: new FakeRunner(), logger: silentLogger, options, clusterId: "daskq-test" }, env);
const header = (overrides: Parameters<typeof makeSpec>[0] = {}, options: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) =>
  backendFor({ flavour: "pro", ...options }, env).header(makeSpec(overrides), { jobName: "dask-worker", outputDirectory: makeSpec(overrides).logDirectory });

describe("PBS header", () => {
  it("is dask-jobqueue's header for cores=8, memory=16GB, walltime 1h, queue q, account p (PBS Pro)", () => {
    const golden = ["#PBS -N dask-worker", "#PBS -q q", "#PBS -A p", "#PBS -l select=1:ncpus=8:mem=15GB", "#PBS -l walltime=01:00:00"].join("\n");
    expect(header({}, { flavour: "pro" }).join("\n")).toBe(golden);
    // flavour auto renders nothing before prepare() has asked qstat --version: no header is rewritten later.
    expect(() => backendFor().header(makeSpec(), { jobName: "dask-worker" })).toThrow(/call prepare\(\)/);
    expect(backendFor().directivePrefix).toBe("#PBS");
  });

  it("is the same from the config loader: 16GB, 01:00:00 and the pbs section's keys", async () => {
    const config = loadBackendConfig(pbsBackend, { job: { cores: 8, memory: "16GB", walltime: "01:00:00", queue: "q", account: "p" }, env: {}, homeDir: "/nonexistent" });
    const spec = resolveJobSpec(config, { python: "/usr/bin/python3" });
    const backend = pbsBackend.create({ runner: new FakeRunner().reply("qstat", PRO_VERSION), logger: silentLogger, options: spec.backendOptions, clusterId: "daskq-test" });
    await backend.prepare?.();
    expect(backend.script?.header(spec, { jobName: spec.jobName })).toEqual([
      "#PBS -N dask-worker",
      "#PBS -q q",
      "#PBS -A p",
      "#PBS -l select=1:ncpus=8:mem=15GB",
      "#PBS -l walltime=01:00:00",
    ]);
    expect(spec.backendOptions).toEqual({ flavour: "auto", arrays: true });
  });

  it("uses Torque's and Moab's node syntax when the flavour says so", () => {
    expect(header({}, { flavour: "torque" })).toContain("#PBS -l nodes=1:ppn=8,mem=15GB");
    expect(header({}, { flavour: "moab" })).toContain("#PBS -l nodes=1:ppn=8,mem=15GB");
  });

  it("writes resource-spec instead of the generated line", () => {
    const lines = header({}, { flavour: "torque", "resource-spec": "nodes=2:ppn=4:gpus=1,pmem=2gb" });
    expect(lines).toContain("#PBS -l nodes=2:ppn=4:gpus=1,pmem=2gb");
    expect(lines.filter((l) => l.startsWith("#PBS -l ") && !l.includes("walltime"))).toHaveLength(1);
  });

  it("leaves out queue, account and walltime when they are not set; walltime 0 means no line", () => {
    expect(header({ queue: undefined, account: undefined, walltime: undefined })).toEqual(["#PBS -N dask-worker", "#PBS -l select=1:ncpus=8:mem=15GB"]);
    expect(header({ walltime: 0 }).some((l) => l.includes("walltime"))).toBe(false);
  });

  it("takes the account from $PBS_ACCOUNT when none is configured, as dask-jobqueue does", () => {
    expect(header({ account: undefined }, {}, { PBS_ACCOUNT: "fromenv" })).toContain("#PBS -A fromenv");
    expect(header({ account: "p" }, {}, { PBS_ACCOUNT: "fromenv" })).toContain("#PBS -A p");
  });

  it("writes walltimes as HH:MM:SS, hours beyond a day included", () => {
    expect(formatPbsWalltime(90)).toBe("00:01:30");
    expect(formatPbsWalltime(36 * 3600)).toBe("36:00:00");
    expect(formatPbsWalltime(59.2)).toBe("00:01:00");
    expect(header({ walltime: 1800 })).toContain("#PBS -l walltime=00:30:00");
  });

  it("rounds memory UP in 1024-based units, keeping at least 10 of the unit (dask-jobqueue's rule)", () => {
    expect(formatPbsMemory(16e9)).toBe("15GB");
    expect(formatPbsMemory(2 ** 34)).toBe("16GB");
    expect(formatPbsMemory(4e9)).toBe("3815MB");
    expect(formatPbsMemory(12345678)).toBe("12MB");
    expect(formatPbsMemory(100e6)).toBe("96MB");
    expect(formatPbsMemory(1234)).toBe("1234B");
    expect(formatPbsMemory(20000)).toBe("20kB");
    expect(defaultResourceSpec("pro", 1, 2 ** 30)).toBe("select=1:ncpus=1:mem=1024MB");
    expect(() => formatPbsMemory(0)).toThrow(ConfigError);
  });

  it("sends output to log-directory, joined: -j oe and -o <dir>/", () => {
    expect(header({ logDirectory: "/scratch/logs/" }).slice(-2)).toEqual(["#PBS -j oe", "#PBS -o /scratch/logs/"]);
    expect(header({ logDirectory: "/scratch/my logs" }).at(-1)).toBe('#PBS -o "/scratch/my logs/"');
    expect(() => header({ logDirectory: "/a:b" })).toThrow(/log-directory.*':'/);
  });

  it("quotes values that are not plain words and refuses line breaks", () => {
    expect(header({ account: "my proj" })).toContain('#PBS -A "my proj"');
    expect(header({ account: 'say "hi"' })).toContain(`#PBS -A 'say "hi"'`);
    expect(() => header({ queue: "q\n#PBS -l evil" })).toThrow(ConfigError);
    expect(() => header({ account: `a'b"c` })).toThrow(/both ' and "/);
  });

  it("refuses cores that PBS cannot take", () => {
    expect(() => header({ cores: 0 })).toThrow(ConfigError);
    expect(() => header({ cores: 2.5 })).toThrow(/cores/);
  });

  it("renders a whole job script whose header PBS reads (job-extra-directives and job-directives-skip applied by core)", () => {
    const backend = backendFor({ flavour: "pro" });
    const spec = makeSpec({ extraDirectives: ["-l place=scatter", "#PBS -W umask=022"], directivesSkip: ["-q "] });
    const script = renderJobScript(backend, spec, workerLaunch(spec, "tcp://10.0.0.1:8786", { kind: "array", base: "daskq-1a2b-0" }), undefined);
    const lines = script.split("\n");
    expect(lines[0]).toBe("#!/usr/bin/env bash");
    expect(lines).toContain("#PBS -l place=scatter");
    expect(lines).toContain("#PBS -W umask=022");
    expect(lines.some((l) => l.startsWith("#PBS -q"))).toBe(false);
    expect(script).toContain(`--name daskq-1a2b-0-"\${PBS_ARRAY_INDEX}"`);
    const torque = renderJobScript(backendFor({ flavour: "torque" }), makeSpec(), workerLaunch(makeSpec(), "tcp://10.0.0.1:8786", { kind: "array", base: "b" }), undefined);
    expect(torque).toContain(`--name b-"\${PBS_ARRAYID}"`);
  });
});
