import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSlurmBackend } from "../src/slurm-descriptor.js";
import { expandOutputPattern, outputDirectories } from "../src/slurm-output.js";
import { FakeRunner, makeSpec } from "./helpers.js";

const backend = createSlurmBackend({ runner: new FakeRunner(), logger: silentLogger });

describe("outputFile", () => {
  it("is <log-directory>/<name>-<array job>_<task>.out for array tasks", () => {
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs" }), "123_4")).toBe("/logs/dask-worker-123_4.out");
  });

  it("uses task 4294967294 for a job that is not an array, as Slurm expands %a", () => {
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs/" }), "123")).toBe("/logs/dask-worker-123_4294967294.out");
  });

  it("undoes the %-escaping of the directory and keeps spaces", () => {
    expect(backend.outputFile(makeSpec({ logDirectory: "/a b/100%" }), "9_0")).toBe("/a b/100%/dask-worker-9_0.out");
  });

  it("is undefined without log-directory, for foreign ids, or when the -o line is skipped", () => {
    expect(backend.outputFile(makeSpec(), "123")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs" }), "123+0")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs", directivesSkip: ["-o "] }), "123")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs", queue: "bad\nqueue" }), "123")).toBeUndefined();
  });

  it("follows -o and -J from job-extra-directives, as sbatch does", () => {
    const spec = makeSpec({ logDirectory: "/logs", extraDirectives: ["--output=/other/%x.%j.log", "-J renamed"] });
    expect(backend.outputFile(spec, "55")).toBe("/other/renamed.55.log");
    // %j of an array task is the task's own job id, which daskq does not hold.
    expect(backend.outputFile(spec, "55_1")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-o relative-%j.out"] }), "55")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-D /work", "-o relative-%j.out"] }), "55")).toBe("/work/relative-55.out");
  });

  it("expands Slurm's file name patterns, with padding", () => {
    const values = { arrayJobId: "12", taskId: 3, jobId: "15", jobName: "w" };
    expect(expandOutputPattern("%x_%A_%a_%j_%%_%4a.out", values)).toBe("w_12_3_15_%_0003.out");
    expect(expandOutputPattern("%N-%j.out", values)).toBeUndefined();
    expect(expandOutputPattern("a\\%j", values)).toBeUndefined();
  });
});

describe("output directories", () => {
  it("are the directories of -o and -e, patterns left out", () => {
    const script = [
      "#!/bin/bash",
      '#SBATCH -o "/my logs/100%%/%x-%A_%a.out"',
      "#SBATCH --error=/per-node/%N/err",
      "sleep 1",
    ].join("\n");
    expect(outputDirectories(script)).toEqual(["/my logs/100%"]);
    expect(outputDirectories("#!/bin/bash\n#SBATCH -J x\n")).toEqual([]);
    expect(outputDirectories("#!/bin/bash\n#SBATCH -o out-%j\n")).toEqual([]);
    expect(outputDirectories("#!/bin/bash\n#SBATCH -D /w\n#SBATCH -oa/b\n")).toEqual(["/w/a"]);
  });
});
