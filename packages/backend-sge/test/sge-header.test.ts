import { ConfigError, loadBackendConfig, renderJobScript, resolveJobSpec, silentLogger, workerLaunch } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSgeBackend, sgeBackend } from "../src/sge-descriptor.js";
import { directiveWord, readDirectives } from "../src/sge-directives.js";
import { renderSgeHeader } from "../src/sge-header.js";
import { formatSgeMemory, formatSgeWalltime } from "../src/sge-resource-requests.js";
import { FakeRunner, makeSpec } from "./helpers.js";

const backend = createSgeBackend({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
const header = (overrides: Parameters<typeof makeSpec>[0] = {}) => {
  // Core renders with log-directory as the output directory when it is set.
  const spec = makeSpec(overrides);
  return backend.header(spec, { jobName: "dask-worker", outputDirectory: spec.logDirectory });
};

/** The header a user gets from these job options through the real config loader (no files, no env). */
function headerFromConfig(job: Record<string, unknown>): string[] {
  const config = loadBackendConfig(sgeBackend, { job: { cores: 8, memory: "16GB", ...job }, env: {}, homeDir: "/nonexistent" });
  const spec = resolveJobSpec(config, { python: "/usr/bin/python3" });
  return createSgeBackend({ runner: new FakeRunner(), logger: silentLogger, options: spec.backendOptions, clusterId: "daskq-test" }).header(spec, { jobName: spec.jobName });
}

const GOLDEN = [
  "#$ -N dask-worker",
  "#$ -q q",
  "#$ -P p",
  "#$ -pe smp 8",
  "#$ -l h_vmem=1908M",
  "#$ -l h_rt=01:00:00",
  "#$ -cwd",
  "#$ -j y",
];

describe("SGE header", () => {
  it("requests cores and memory for cores=8, memory=16GB, walltime 1h, queue q, project p", () => {
    expect(header()).toEqual(GOLDEN);
    expect(backend.directivePrefix).toBe("#$");
  });

  it("is the same through the config loader, with project (dask-jobqueue's key) or account", () => {
    expect(headerFromConfig({ walltime: "01:00:00", queue: "q", project: "p" })).toEqual(GOLDEN);
    expect(headerFromConfig({ walltime: "01:00:00", queue: "q", account: "p" })).toEqual(GOLDEN);
    expect(headerFromConfig({ walltime: "01:00:00", queue: "q", account: "a", project: "p" })).toContain("#$ -P p");
  });

  it("reads walltimes as Grid Engine does: bare numbers in seconds, A:B as minutes:seconds", () => {
    expect(headerFromConfig({ walltime: 90 })).toContain("#$ -l h_rt=00:01:30");
    expect(headerFromConfig({ walltime: "90" })).toContain("#$ -l h_rt=00:01:30");
    expect(headerFromConfig({ walltime: "30:00" })).toContain("#$ -l h_rt=00:30:00");
    expect(headerFromConfig({ walltime: "100:00:00" })).toContain("#$ -l h_rt=100:00:00");
    expect(headerFromConfig({})).toContain("#$ -l h_rt=00:30:00");
  });

  it("drops -pe when parallel-environment is null or empty; the one slot then carries all the memory", () => {
    for (const pe of [null, ""]) {
      const lines = headerFromConfig({ "parallel-environment": pe });
      expect(lines.some((l) => l.includes("-pe"))).toBe(false);
      expect(lines).toContain("#$ -l h_vmem=15259M");
    }
    expect(headerFromConfig({ parallelEnvironment: "mpi*" })).toContain("#$ -pe mpi* 8");
  });

  it("drops the memory request when memory-resource is null or empty, and uses another resource when named", () => {
    expect(headerFromConfig({ "memory-resource": null }).some((l) => l.includes("h_vmem"))).toBe(false);
    expect(headerFromConfig({ "memory-resource": "" }).filter((l) => l.startsWith("#$ -l"))).toEqual(["#$ -l h_rt=00:30:00"]);
    expect(headerFromConfig({ "memory-resource": "mem_free" })).toContain("#$ -l mem_free=1908M");
    expect(() => header({ backendOptions: { "memory-resource": "h_vmem=1G" } })).toThrow(/memory-resource/);
  });

  it("writes resource-spec instead of the generated memory request", () => {
    const lines = headerFromConfig({ "resource-spec": "h_vmem=4G,mem_free=4G", walltime: "01:00:00" });
    expect(lines.filter((l) => l.startsWith("#$ -l"))).toEqual(["#$ -l h_vmem=4G,mem_free=4G", "#$ -l h_rt=01:00:00"]);
    expect(lines).toContain("#$ -pe smp 8");
    expect(() => header({ backendOptions: { "resource-spec": "h_vmem=4G -q evil" } })).toThrow(/resource-spec.*whitespace/);
  });

  it("leaves out queue, project and walltime when they are not set", () => {
    expect(header({ queue: undefined, account: undefined, walltime: undefined })).toEqual([
      "#$ -N dask-worker",
      "#$ -pe smp 8",
      "#$ -l h_vmem=1908M",
      "#$ -cwd",
      "#$ -j y",
    ]);
    expect(header({ queue: "", account: "" }).some((l) => / -[qP] /.test(l))).toBe(false);
    expect(header({ walltime: 0 }).some((l) => l.includes("h_rt"))).toBe(false);
  });

  it("writes memory per slot in whole MiB rounded up, as G when it is whole GiB", () => {
    expect(formatSgeMemory(2e9)).toBe("1908M");
    expect(formatSgeMemory(2 ** 31)).toBe("2G");
    expect(formatSgeMemory(2 ** 30)).toBe("1G");
    expect(formatSgeMemory(2 ** 30 + 1)).toBe("1025M");
    expect(formatSgeMemory(500e6)).toBe("477M");
    expect(formatSgeMemory(1000)).toBe("1M");
    expect(header({ memory: 2 ** 34 })).toContain("#$ -l h_vmem=2G");
    expect(header({ cores: 3, memory: 2 ** 30 })).toContain("#$ -l h_vmem=342M");
  });

  it("writes walltime as HH:MM:SS with hours beyond 24, fractions rounded up", () => {
    expect(formatSgeWalltime(3600)).toBe("01:00:00");
    expect(formatSgeWalltime(59.2)).toBe("00:01:00");
    expect(formatSgeWalltime(86_400)).toBe("24:00:00");
    expect(formatSgeWalltime(360_000)).toBe("100:00:00");
  });

  it("rejects cores, memory and walltime Grid Engine cannot take, naming the key", () => {
    expect(() => header({ cores: 0 })).toThrow(ConfigError);
    expect(() => header({ cores: 2.5 })).toThrow(/cores/);
    expect(() => header({ memory: 0 })).toThrow(/memory/);
    expect(() => header({ walltime: -1 })).toThrow(/walltime/);
    expect(() => header({ backendOptions: { "parallel-environment": 3 } })).toThrow(/parallel-environment/);
  });

  it("sends output to <log-directory>/ (a directory, as dask-jobqueue writes it)", () => {
    expect(header({ logDirectory: "/scratch/logs" }).at(-1)).toBe("#$ -o /scratch/logs/");
    expect(header({ logDirectory: "/scratch/logs//" }).at(-1)).toBe("#$ -o /scratch/logs/");
    expect(header({ logDirectory: "/my logs" }).at(-1)).toBe('#$ -o "/my logs/"');
    expect(header({ logDirectory: "/a:b" }).at(-1)).toBe("#$ -o :/a:b/");
    expect(header({ logDirectory: "$HOME/logs" }).at(-1)).toBe("#$ -o $HOME/logs/");
    expect(() => header({ logDirectory: "/a,b" })).toThrow(/log-directory.*comma/);
  });
});

describe("values in directives", () => {
  it("refuses a value that would start a new directive or be cut by qsub, naming the key", () => {
    expect(() => header({ queue: "q\n#$ -l x" })).toThrow(ConfigError);
    expect(() => header({ queue: "q\n#$ -l x" })).toThrow(/queue/);
    expect(() => header({ account: "p\r" })).toThrow(/account/);
    expect(() => header({ backendOptions: { project: "p#1" } })).toThrow(/project.*comment/);
    expect(() => header({ logDirectory: "/x\n/y" })).toThrow(/log-directory/);
    expect(() => header({ logDirectory: "/it's" })).toThrow(/log-directory.*quotes/);
    expect(() => header({ logDirectory: '/say "hi"' })).toThrow(/log-directory/);
    expect(() => header({ queue: "all q" })).toThrow(/queue.*whitespace/);
  });

  it("refuses job names qsub rejects", () => {
    for (const name of ["1abc", "a/b", "a:b", "a@b", "a*b", "a?b", "a\\b", "a b", "é", "", "x#y"]) {
      expect(() => backend.header(makeSpec(), { jobName: name }), name).toThrow(/name/);
    }
    expect(backend.header(makeSpec(), { jobName: "a.b-c_d+e=f,g%h" })[0]).toBe("#$ -N a.b-c_d+e=f,g%h");
  });

  it("refuses it through core's renderJobScript too: no malformed script is ever produced", () => {
    expect(() => renderJobScript(backend, makeSpec({ queue: "q\n#$ -l x" }), workerLaunch(makeSpec({ queue: "q\n#$ -l x" }), "tcp://h:8786", { kind: "fixed", name: "w" }), undefined)).toThrow(/queue/);
  });

  it("quotes whitespace and reads values back unchanged", () => {
    for (const value of ["/my logs", "tab\there", "plain", "$HOME/x", "a\\b", "-starts-with-dash"]) {
      expect(readDirectives(`#$ -o ${directiveWord(value, "log-directory")}`)).toEqual([["-o", value]]);
    }
  });

  it("reads directives like qsub: everywhere in the script, comments cut, quotes removed", () => {
    const script = '#!/bin/bash\n#$ -N "ab" # the name\n\n# a comment\n#$ -q q\necho hi\n#$ -P late\n';
    expect(readDirectives(script)).toEqual([["-N", "ab"], ["-q", "q"], ["-P", "late"]]);
    expect(readDirectives("#$ -o \"/a#b\"")).toEqual([["-o", "/a"]]);
  });
});

describe("through core's renderJobScript", () => {
  it("drops skipped lines and appends extra directives with the prefix", () => {
    const spec = makeSpec({ directivesSkip: ["h_vmem", "-P "], extraDirectives: ["-l gpu=1", "#$ -m n"] });
    const script = renderJobScript(backend, spec, workerLaunch(spec, "tcp://10.0.0.1:8786", { kind: "fixed", name: "daskq-ab12-0" }), undefined);
    const lines = script.split("\n");
    expect(lines.filter((l) => l.startsWith("#$"))).toEqual([
      "#$ -N dask-worker",
      "#$ -q q",
      "#$ -pe smp 8",
      "#$ -l h_rt=01:00:00",
      "#$ -cwd",
      "#$ -j y",
      "#$ -l gpu=1",
      "#$ -m n",
    ]);
    expect(lines[0]).toBe("#!/usr/bin/env bash");
    expect(script).toContain("--name daskq-ab12-0");
  });

  it("names array tasks after SGE_TASK_ID, which starts at 1", () => {
    const script = renderJobScript(backend, makeSpec(), workerLaunch(makeSpec(), "tcp://10.0.0.1:8786", { kind: "array", base: "daskq-ab12-3" }), undefined);
    expect(script).toContain('--name daskq-ab12-3-"${SGE_TASK_ID}"');
    expect(backend.arrayIndex).toEqual({ variable: "SGE_TASK_ID", first: 1 });
  });

  it("renders the same header as the standalone function", () => {
    expect(renderSgeHeader(makeSpec(), { jobName: "x" })).toEqual(backend.header(makeSpec(), { jobName: "x" }));
  });
});
