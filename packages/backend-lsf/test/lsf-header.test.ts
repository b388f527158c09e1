import { ConfigError, loadBackendConfig, renderJobScript, resolveJobSpec, silentLogger, workerLaunch } from "@daskq/core";
import { beforeAll, describe, expect, it } from "vitest";
import { lsfBackend } from "../src/index.js";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { checkDirectiveValue, directiveWord, optionValue, readDirectives } from "../src/lsf-directives.js";
import { formatLsfWalltime, outputPattern } from "../src/lsf-header.js";
import { FakeRunner, lsfHost, makeSpec } from "./helpers.js";

const backend = createLsfBackend({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
// No lsf.conf on the runner's host: LSF's default unit, KB.
beforeAll(() => backend.prepare());
const header = (overrides: Parameters<typeof makeSpec>[0] = {}) => {
  // Core renders with log-directory as the output directory when it is set.
  const spec = makeSpec(overrides);
  return backend.header(spec, { jobName: "dask-worker", outputDirectory: spec.logDirectory });
};

describe("LSF header", () => {
  it("is exactly dask-jobqueue's header for cores=8, memory=16GB, walltime 1h, queue q, project p", () => {
    expect(header().join("\n")).toBe(
      [
        "#BSUB -J dask-worker",
        "#BSUB -q q",
        '#BSUB -P "p"',
        "#BSUB -n 8",
        '#BSUB -R "span[hosts=1]"',
        "#BSUB -M 16000000",
        "#BSUB -W 01:00",
      ].join("\n"),
    );
    expect(backend.directivePrefix).toBe("#BSUB");
  });

  it("comes out of the config loader the same, with 01:00 read as hours:minutes", async () => {
    const config = loadBackendConfig(lsfBackend, {
      job: { cores: 8, memory: "16GB", walltime: "01:00", queue: "q", project: "p" },
      env: {},
      homeDir: "/nonexistent",
    });
    const spec = resolveJobSpec(config, { python: "/usr/bin/python3" });
    expect(spec.walltime).toBe(3600);
    expect(spec.account).toBe("p");
    const fromConfig = createLsfBackend({ runner: new FakeRunner(), logger: silentLogger, options: spec.backendOptions, clusterId: "daskq-test" });
    await fromConfig.prepare();
    const lines = fromConfig.header(spec, { jobName: spec.jobName });
    expect(lines).toEqual(header());
  });

  it("reads a bare walltime as minutes and defaults to 30 minutes, like bsub -W", () => {
    const load = (job: Record<string, unknown>) =>
      resolveJobSpec(loadBackendConfig(lsfBackend, { job: { cores: 1, memory: "1GB", ...job }, env: {}, homeDir: "/nonexistent" }), { python: "p" });
    expect(load({ walltime: 90 }).walltime).toBe(90 * 60);
    expect(load({ walltime: "90" }).walltime).toBe(90 * 60);
    expect(load({}).walltime).toBe(30 * 60);
    expect(load({ walltime: "02:30:00" }).walltime).toBe(9000);
  });

  it("converts any walltime to [HH:]MM, rounding up to whole minutes", () => {
    expect(formatLsfWalltime(3600)).toBe("01:00");
    expect(formatLsfWalltime(1800)).toBe("00:30");
    expect(formatLsfWalltime(90)).toBe("00:02");
    expect(formatLsfWalltime(1)).toBe("00:01");
    expect(formatLsfWalltime(36 * 3600 + 5 * 60)).toBe("36:05");
    expect(formatLsfWalltime(150 * 3600)).toBe("150:00");
    expect(header({ walltime: 9000 })).toContain("#BSUB -W 02:30");
  });

  it("leaves out queue, project and walltime when unset, and -W for a walltime of 0", () => {
    expect(header({ queue: undefined, account: undefined, walltime: undefined })).toEqual([
      "#BSUB -J dask-worker",
      "#BSUB -n 8",
      '#BSUB -R "span[hosts=1]"',
      "#BSUB -M 16000000",
    ]);
    expect(header({ walltime: 0 }).some((l) => l.includes(" -W "))).toBe(false);
  });

  it("uses ncpus and mem over cores and memory", () => {
    const lines = header({ backendOptions: { ncpus: 4, mem: 2 ** 34 } });
    expect(lines).toContain("#BSUB -n 4");
    expect(lines).toContain("#BSUB -M 17179870");
  });

  it("writes -M in the unit of lsf-units, 1000-based and rounded up", () => {
    const units = (unit: string, bytes = 16e9) => header({ memory: bytes, backendOptions: { "lsf-units": unit } }).find((l) => l.startsWith("#BSUB -M"));
    expect(units("KB")).toBe("#BSUB -M 16000000");
    expect(units("MB")).toBe("#BSUB -M 16000");
    expect(units("mb")).toBe("#BSUB -M 16000");
    expect(units("G")).toBe("#BSUB -M 16");
    expect(units("GB", 2 ** 30)).toBe("#BSUB -M 2");
    expect(units("MB", 2 ** 30)).toBe("#BSUB -M 1074");
    expect(units("TB")).toBe("#BSUB -M 1");
    expect(() => units("XB")).toThrow(/lsf-units.*unknown unit "XB"/);
  });

  it("reads LSF_UNIT_FOR_LIMITS from lsf.conf under $LSF_ENVDIR, else $LSF_CONFDIR, else /etc, on the runner's host; default KB", async () => {
    const units = async (env: { LSF_ENVDIR?: string; LSF_CONFDIR?: string }, files: Record<string, string>, options?: Record<string, unknown>) => {
      const made = createLsfBackend({ runner: lsfHost(env, files), logger: silentLogger, clusterId: "daskq-test", ...(options ? { options } : {}) });
      await made.prepare();
      return made.units;
    };
    const conf = (unit: string) => `# LSF configuration\nLSF_MASTER_LIST="host1"\nLSF_UNIT_FOR_LIMITS=${unit}   # memory limits\n`;
    expect(await units({ LSF_ENVDIR: "/opt/lsf/conf" }, { "/opt/lsf/conf/lsf.conf": conf("MB") })).toBe("MB");
    expect(await units({ LSF_CONFDIR: "/c" }, { "/c/lsf.conf": conf("GB") })).toBe("GB");
    expect(await units({ LSF_ENVDIR: "/e", LSF_CONFDIR: "/c" }, { "/e/lsf.conf": conf("TB"), "/c/lsf.conf": conf("GB") })).toBe("TB");
    expect(await units({}, { "/etc/lsf.conf": 'LSF_UNIT_FOR_LIMITS = "mb"\n' })).toBe("MB");
    expect(await units({}, { "/etc/lsf.conf": "LSF_UNIT_FOR_LIMITS=KB\nLSF_UNIT_FOR_LIMITS=GB\n" })).toBe("GB");
    expect(await units({}, { "/etc/lsf.conf": "# LSF_UNIT_FOR_LIMITS=GB\nLSB_SHAREDIR=/x\n" })).toBe("KB");
    expect(await units({ LSF_ENVDIR: "/missing" }, {})).toBe("KB");
    // lsf-units wins over lsf.conf, and then nothing is read.
    const runner = lsfHost({}, { "/etc/lsf.conf": conf("GB") });
    const configured = createLsfBackend({ runner, logger: silentLogger, clusterId: "daskq-test", options: { "lsf-units": "MB" } });
    await configured.prepare();
    expect(configured.units).toBe("MB");
    expect(runner.calls).toEqual([]);
    const host = createLsfBackend({ runner: lsfHost({ LSF_ENVDIR: "/e" }, { "/e/lsf.conf": conf("MB") }), logger: silentLogger, clusterId: "daskq-test" });
    expect(() => host.header(makeSpec(), { jobName: "w" })).toThrow(/call prepare\(\)/);
    await host.prepare();
    expect(host.header(makeSpec(), { jobName: "w" })).toContain("#BSUB -M 16000");
  });

  it("refuses an lsf.conf unit LSF does not have, naming the file and the override", async () => {
    const bad = createLsfBackend({ runner: lsfHost({}, { "/etc/lsf.conf": "LSF_UNIT_FOR_LIMITS=XB\n" }), logger: silentLogger, clusterId: "daskq-test" });
    await expect(bad.prepare()).rejects.toThrow(/\/etc\/lsf\.conf: LSF_UNIT_FOR_LIMITS: unknown unit "XB".*lsf-units/);
    await expect(bad.prepare()).rejects.toThrow(ConfigError);
  });

  it("writes -o and -e to one file in log-directory, %J and %I left to LSF", () => {
    const lines = header({ logDirectory: "/scratch/logs/" });
    expect(lines.slice(-2)).toEqual(["#BSUB -o /scratch/logs/dask-worker-%J_%I.out", "#BSUB -e /scratch/logs/dask-worker-%J_%I.out"]);
    expect(header({ logDirectory: "/scratch/my logs" }).at(-1)).toBe('#BSUB -e "/scratch/my logs/dask-worker-%J_%I.out"');
    expect(outputPattern("/", "w")).toBe("/w-%J_%I.out");
    expect(outputPattern("/l", "odd name")).toBe("/l/dask-worker-%J_%I.out");
    expect(() => header({ logDirectory: "/logs/%J" })).toThrow(/log-directory.*%J or %I/);
  });

  it("quotes values that are not plain words, and always the project", () => {
    expect(header({ queue: "my queue", account: "proj#1" }).slice(1, 3)).toEqual(['#BSUB -q "my queue"', '#BSUB -P "proj#1"']);
    expect(backend.header(makeSpec(), { jobName: "my worker" })[0]).toBe('#BSUB -J "my worker"');
    expect(directiveWord("a-b_c.1", "k")).toBe("a-b_c.1");
    expect(directiveWord("a b", "k")).toBe('"a b"');
    expect(directiveWord("p", "k", true)).toBe('"p"');
  });

  it("refuses values that would break a directive with a ConfigError naming the key", () => {
    const cases: Array<[Parameters<typeof makeSpec>[0], RegExp]> = [
      [{ queue: "q\n#BSUB -q other" }, /queue.*control character \\x0a/],
      [{ account: 'p" -q "other' }, /account.*contains "/],
      [{ account: "it's" }, /account.*contains '/],
      [{ queue: "a\\b" }, /queue.*contains \\/],
      [{ logDirectory: "/logs\r" }, /log-directory.*\\x0d/],
      [{ cores: 0 }, /cores.*positive integer/],
      [{ memory: 0 }, /memory.*positive size/],
      [{ backendOptions: { ncpus: 1.5 } }, /ncpus/],
      [{ backendOptions: { mem: -1 } }, /mem.*positive size/],
      [{ walltime: Number.NaN }, /walltime/],
    ];
    for (const [overrides, message] of cases) {
      expect(() => header(overrides)).toThrow(ConfigError);
      expect(() => header(overrides)).toThrow(message);
    }
    expect(() => backend.header(makeSpec(), { jobName: "w[1-3]" })).toThrow(/name.*\[ or \]/);
    expect(() => backend.header(makeSpec(), { jobName: 'w"' })).toThrow(/name/);
    expect(() => checkDirectiveValue("ok value", "k")).not.toThrow();
  });

  it("reads #BSUB lines back the way bsub splits them, stopping at the first command", () => {
    const script = ['#!/bin/bash', "#BSUB -J w", '#BSUB -P "my proj" -q q # a comment', "# plain comment", "", "#BSUB -o 'a b'", "echo hi", "#BSUB -o ignored"].join("\n");
    const directives = readDirectives(script);
    expect(directives).toEqual([["-J", "w"], ["-P", "my proj", "-q", "q"], ["-o", "a b"]]);
    expect(optionValue(directives, "-o")).toBe("a b");
    expect(optionValue(directives, "-e")).toBeUndefined();
  });

  it("renders a job script whose array elements are named with LSB_JOBINDEX", () => {
    const spec = makeSpec({ python: "/usr/bin/python3", processes: 1 });
    const script = renderJobScript(backend, spec, workerLaunch(spec, "tcp://10.0.0.1:8786", { kind: "array", base: "dask-worker-3" }), undefined);
    expect(script).toContain('--name dask-worker-3-"${LSB_JOBINDEX}"');
    expect(script.split("\n").slice(0, 3)).toEqual(["#!/usr/bin/env bash", "", "#BSUB -J dask-worker"]);
    expect(backend.arrayIndex).toEqual({ variable: "LSB_JOBINDEX", first: 1 });
  });

  it("applies job-directives-skip and job-extra-directives (through core)", () => {
    const spec = makeSpec({ directivesSkip: ["span[hosts"], extraDirectives: ["-x", "#BSUB -G grp"] });
    const script = renderJobScript(backend, spec, workerLaunch(spec, "tcp://h:1", { kind: "fixed", name: "w-0" }), undefined);
    expect(script).not.toContain("span[hosts=1]");
    expect(script).toContain("#BSUB -x\n#BSUB -G grp\n");
  });
});
