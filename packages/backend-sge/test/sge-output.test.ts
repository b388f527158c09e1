import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSgeBackend } from "../src/sge-descriptor.js";
import { expandOutputPath, outputDirectories } from "../src/sge-output.js";
import { FakeRunner, makeSpec } from "./helpers.js";

const backend = createSgeBackend({ runner: new FakeRunner(), logger: silentLogger });

describe("outputFile", () => {
  it("is <log-directory>/<name>.o<job> for a job and .o<job>.<task> for an array task", () => {
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs" }), "123")).toBe("/logs/dask-worker.o123");
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs/" }), "123.4")).toBe("/logs/dask-worker.o123.4");
  });

  it("keeps spaces and colons of the directory", () => {
    expect(backend.outputFile(makeSpec({ logDirectory: "/a b" }), "9.1")).toBe("/a b/dask-worker.o9.1");
    expect(backend.outputFile(makeSpec({ logDirectory: "/a:b" }), "9")).toBe("/a:b/dask-worker.o9");
  });

  it("is undefined without log-directory, for foreign ids, when -o is skipped, or for host-side variables", () => {
    expect(backend.outputFile(makeSpec(), "123")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs" }), "123_0")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs", directivesSkip: ["-o "] }), "123")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "/logs", queue: "bad\nqueue" }), "123")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "$HOME/logs" }), "123")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ logDirectory: "relative" }), "123")).toBeUndefined();
  });

  it("follows -o and -N from job-extra-directives, as qsub does", () => {
    const spec = makeSpec({ logDirectory: "/logs", extraDirectives: ["-o /other/$JOB_NAME.$JOB_ID.$TASK_ID.log", "-N renamed"] });
    expect(backend.outputFile(spec, "55")).toBe("/other/renamed.55.0.log");
    expect(backend.outputFile(spec, "55.3")).toBe("/other/renamed.55.3.log");
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-o host1:/x/"] }), "5")).toBe("/x/dask-worker.o5");
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-o /a/,h2:/b/"] }), "5")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-o rel/"] }), "5")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-wd /work", "-o rel/"] }), "5")).toBe("/work/rel/dask-worker.o5");
  });

  it("expands the pseudo variables it can know", () => {
    const values = { jobId: "12", taskId: 3, jobName: "w" };
    expect(expandOutputPath("/l/$JOB_NAME-$JOB_ID-$TASK_ID-$x", values)).toBe("/l/w-12-3-$x");
    expect(expandOutputPath("/l/$USER/x", values)).toBeUndefined();
    expect(expandOutputPath("$HOME/x", values)).toBeUndefined();
  });
});

describe("output directories", () => {
  it("are the directories of -o and -e: the path itself when it ends in /, else its parent", () => {
    expect(outputDirectories('#!/bin/bash\n#$ -o "/my logs/"\n#$ -e /err/file.txt\n')).toEqual(["/my logs", "/err"]);
    expect(outputDirectories("#!/bin/bash\n#$ -o :/a:b/\n")).toEqual(["/a:b"]);
    expect(outputDirectories("#!/bin/bash\n#$ -N x\n")).toEqual([]);
    expect(outputDirectories("#!/bin/bash\n#$ -o out.txt\n")).toEqual([]);
    expect(outputDirectories("#!/bin/bash\n#$ -o $HOME/logs/\n#$ -o /a/,/b/\n")).toEqual([]);
    expect(outputDirectories("#!/bin/bash\n#$ -wd /w\n#$ -o a/b/\n")).toEqual(["/w/a/b"]);
    expect(outputDirectories("#!/bin/bash\n#$ -o /\n")).toEqual([]);
  });
});
