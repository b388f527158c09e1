import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createPbsBackend } from "../src/pbs-descriptor.js";
import { outputDirectories, outputFileOf } from "../src/pbs-output.js";
import { FakeRunner, makeSpec } from "./helpers.js";

const backend = (flavour: string) => createPbsBackend({ runner: new FakeRunner(), logger: silentLogger, options: { flavour } }, {});

describe("output files", () => {
  it("PBS Pro: <log-directory>/<job id>.OU for jobs and subjobs (qsub(1B): a path without a file name)", () => {
    const spec = makeSpec({ logDirectory: "/scratch/logs" });
    expect(backend("pro").outputFile(spec, "12.server")).toBe("/scratch/logs/12.server.OU");
    expect(backend("pro").outputFile(spec, "13[2].server")).toBe("/scratch/logs/13[2].server.OU");
  });

  it("Torque: <log-directory>/<name>.o<seq>, subjobs with -<index> (Torque's add_std_filename, array cloning)", () => {
    const spec = makeSpec({ logDirectory: "/scratch/logs" });
    expect(backend("torque").outputFile(spec, "12.server")).toBe("/scratch/logs/dask-worker.o12");
    expect(backend("torque").outputFile(spec, "13[2].server")).toBe("/scratch/logs/dask-worker.o13-2");
  });

  it("is unknown without a log directory, for relative paths and for ids that are not PBS ids", () => {
    expect(backend("pro").outputFile(makeSpec(), "12.s")).toBeUndefined();
    expect(backend("pro").outputFile(makeSpec({ logDirectory: "logs" }), "12.s")).toBeUndefined();
    expect(backend("moab").outputFile(makeSpec({ logDirectory: "/l" }), "Moab.12")).toBeUndefined();
  });

  it("follows -o/-e/-j from job-extra-directives, which win as in qsub", () => {
    const header = ["#PBS -N w", "#PBS -j oe", "#PBS -o /l/", "#PBS -j n", "#PBS -e host:/err/w.err", "#PBS -o /out/^array_index^.txt"];
    expect(outputFileOf(header, "5.s", "pro")).toBe("/err/w.err");
    expect(outputFileOf(["#PBS -o /out/run-^array_index^.log"], "5[3].s", "pro")).toBe("/out/run-3.log");
    expect(outputFileOf(["#PBS -o /out/run.log"], "5[3].s", "torque")).toBe("/out/run.log-3");
  });

  it("lists absolute output directories to create", () => {
    expect(outputDirectories("#!/bin/bash\n#PBS -o /a/b/\n#PBS -e host:/c/d.err\necho\n#PBS -o /late/\n")).toEqual(["/a/b", "/c"]);
    expect(outputDirectories("#!/bin/bash\n#PBS -o rel/\n")).toEqual([]);
  });
});
