import { ConfigError, renderJobScript, silentLogger, workerLaunch } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSlurmBackend } from "../src/slurm-descriptor.js";
import { directiveWord, readDirectives } from "../src/slurm-directives.js";
import { formatSlurmMemory, formatSlurmWalltime, renderSlurmHeader } from "../src/slurm-header.js";
import { FakeRunner, makeSpec } from "./helpers.js";

const backend = createSlurmBackend({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
const header = (overrides: Parameters<typeof makeSpec>[0] = {}) => {
  // Core renders with log-directory as the output directory when it is set.
  const spec = makeSpec(overrides);
  return backend.header(spec, { jobName: "dask-worker", outputDirectory: spec.logDirectory });
};

describe("Slurm header", () => {
  it("matches dask-jobqueue's header for cores=8, memory=16GB, walltime 1h, queue q, account p", () => {
    expect(header().join("\n")).toBe(
      [
        "#SBATCH -J dask-worker",
        "#SBATCH -p q",
        "#SBATCH -A p",
        "#SBATCH -n 1",
        "#SBATCH -N 1",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=15G",
        "#SBATCH -t 01:00:00",
      ].join("\n"),
    );
    expect(backend.directivePrefix).toBe("#SBATCH");
  });

  it("leaves out queue, account and walltime when they are not set", () => {
    expect(header({ queue: undefined, account: undefined, walltime: undefined })).toEqual([
      "#SBATCH -J dask-worker",
      "#SBATCH -n 1",
      "#SBATCH -N 1",
      "#SBATCH --cpus-per-task=8",
      "#SBATCH --mem=15G",
    ]);
    expect(header({ queue: "", account: "" })).not.toContain("#SBATCH -p ");
    expect(header({ walltime: 0 }).some((l) => l.includes(" -t "))).toBe(false);
  });

  it("uses job-cpu and job-mem over cores and memory", () => {
    const lines = header({ backendOptions: { "job-cpu": 4, "job-mem": 2 ** 34 } });
    expect(lines).toContain("#SBATCH --cpus-per-task=4");
    expect(lines).toContain("#SBATCH --mem=16G");
  });

  it("rejects job-cpu, cores and memory that Slurm cannot take, naming the key", () => {
    expect(() => header({ backendOptions: { "job-cpu": 2.5 } })).toThrow(/job-cpu.*positive integer/);
    expect(() => header({ cores: 0 })).toThrow(ConfigError);
    expect(() => header({ memory: 0 })).toThrow(/memory/);
    expect(() => header({ backendOptions: { "job-mem": "16GB" } })).toThrow(/job-mem/);
  });

  it("writes memory in whole GiB rounded up, or MiB below 1 GiB", () => {
    expect(formatSlurmMemory(16e9)).toBe("15G");
    expect(formatSlurmMemory(2 ** 34)).toBe("16G");
    expect(formatSlurmMemory(2 ** 30)).toBe("1G");
    expect(formatSlurmMemory(2 ** 30 + 1)).toBe("2G");
    expect(formatSlurmMemory(1e9)).toBe("954M");
    expect(formatSlurmMemory(500e6)).toBe("477M");
    expect(formatSlurmMemory(1000)).toBe("1M");
  });

  it("writes walltime as HH:MM:SS, or D-HH:MM:SS from one day on", () => {
    expect(formatSlurmWalltime(3600)).toBe("01:00:00");
    expect(formatSlurmWalltime(1800)).toBe("00:30:00");
    expect(formatSlurmWalltime(59.2)).toBe("00:01:00");
    expect(formatSlurmWalltime(86_399)).toBe("23:59:59");
    expect(formatSlurmWalltime(86_400)).toBe("1-00:00:00");
    expect(formatSlurmWalltime(90_061)).toBe("1-01:01:01");
    expect(formatSlurmWalltime(12 * 86_400)).toBe("12-00:00:00");
  });

  it("sends output to <log-directory>/%x-%A_%a.out, escaping % and quoting spaces", () => {
    expect(header({ logDirectory: "/scratch/logs/" }).at(-1)).toBe("#SBATCH -o /scratch/logs/%x-%A_%a.out");
    expect(header({ logDirectory: "/scratch/100%" }).at(-1)).toBe("#SBATCH -o /scratch/100%%/%x-%A_%a.out");
    expect(header({ logDirectory: "/my logs" }).at(-1)).toBe('#SBATCH -o "/my logs/%x-%A_%a.out"');
    expect(() => header({ logDirectory: "C:\\logs" })).toThrow(/log-directory.*backslash/);
  });
});

describe("values in directives", () => {
  it("refuses a value that would start a new directive, naming the key", () => {
    expect(() => header({ queue: "q\n#SBATCH --x" })).toThrow(ConfigError);
    expect(() => header({ queue: "q\n#SBATCH --x" })).toThrow(/queue/);
    expect(() => header({ account: "p\r" })).toThrow(/account/);
    expect(() => backend.header(makeSpec(), { jobName: "a\u0000b" })).toThrow(/name/);
    expect(() => header({ logDirectory: "/x\n/y" })).toThrow(/log-directory/);
  });

  it("refuses it through core's renderJobScript too: no malformed script is ever produced", () => {
    expect(() => renderJobScript(backend, makeSpec({ queue: "q\n#SBATCH --x" }), workerLaunch(makeSpec({ queue: "q\n#SBATCH --x" }), "tcp://h:8786", { kind: "fixed", name: "w" }), undefined)).toThrow(/queue/);
  });

  it("quotes values sbatch would split or cut at '#', and reads them back unchanged", () => {
    expect(header({ account: "my proj#1" })).toContain('#SBATCH -A "my proj#1"');
    expect(directiveWord("gpu,cpu", "queue")).toBe("gpu,cpu");
    const tricky = ["it's", 'say "hi"', "back\\slash", "x#y", "$HOME `id` ;|&", "tab\there", "é ü", "-starts-with-dash", ""];
    for (const value of tricky) {
      const line = `#SBATCH -A ${directiveWord(value, "account")}`;
      expect(readDirectives(line)).toEqual([["-A", value]]);
    }
  });

  it("reads directives like sbatch: comments cut, reading stops at the first command", () => {
    const script = '#!/bin/bash\n#SBATCH -J "a b" # the name\n\n# a comment\n#SBATCH -p q\necho hi\n#SBATCH -A late\n';
    expect(readDirectives(script)).toEqual([
      ["-J", "a b"],
      ["-p", "q"],
    ]);
  });
});

describe("through core's renderJobScript", () => {
  it("drops skipped lines and appends extra directives with the prefix", () => {
    const spec = makeSpec({ directivesSkip: ["--mem", "-A "], extraDirectives: ["--exclusive", "#SBATCH --constraint=avx2"] });
    const script = renderJobScript(backend, spec, workerLaunch(spec, "tcp://10.0.0.1:8786", { kind: "fixed", name: "daskq-ab12-0" }), undefined);
    const lines = script.split("\n");
    expect(lines.filter((l) => l.startsWith("#SBATCH"))).toEqual([
      "#SBATCH -J dask-worker",
      "#SBATCH -p q",
      "#SBATCH -n 1",
      "#SBATCH -N 1",
      "#SBATCH --cpus-per-task=8",
      "#SBATCH -t 01:00:00",
      "#SBATCH --exclusive",
      "#SBATCH --constraint=avx2",
    ]);
    expect(lines[0]).toBe("#!/usr/bin/env bash");
    expect(script).toContain("--name daskq-ab12-0");
  });

  it("names array tasks after SLURM_ARRAY_TASK_ID", () => {
    const script = renderJobScript(backend, makeSpec(), workerLaunch(makeSpec(), "tcp://10.0.0.1:8786", { kind: "array", base: "daskq-ab12-3" }), undefined);
    expect(script).toContain('--name daskq-ab12-3-"${SLURM_ARRAY_TASK_ID}"');
    expect(backend.arrayIndex).toEqual({ variable: "SLURM_ARRAY_TASK_ID", first: 0 });
  });

  it("renders the same header as the standalone function", () => {
    expect(renderSlurmHeader(makeSpec(), { jobName: "x" })).toEqual(backend.header(makeSpec(), { jobName: "x" }));
  });
});
