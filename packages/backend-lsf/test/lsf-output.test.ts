import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { expandLsfPattern, outputDirectories, outputFileOf } from "../src/lsf-output.js";
import { FakeRunner, NO_LSF_CONF, makeSpec } from "./helpers.js";

const backend = createLsfBackend({ runner: new FakeRunner(), logger: silentLogger }, NO_LSF_CONF);

describe("output files", () => {
  it("expands %J and %I, with index 0 for a job that is not an array (bsub -o)", () => {
    expect(expandLsfPattern("/l/w-%J_%I.out", "12", 0)).toBe("/l/w-12_0.out");
    expect(expandLsfPattern("%J.%I.%J", "12", 3)).toBe("12.3.12");
  });

  it("finds a job's output file from the header its spec renders to", () => {
    const spec = makeSpec({ logDirectory: "/scratch/logs" });
    expect(backend.outputFile(spec, "123")).toBe("/scratch/logs/dask-worker-123_0.out");
    expect(backend.outputFile(spec, "123[4]")).toBe("/scratch/logs/dask-worker-123_4.out");
    expect(backend.outputFile(spec, "garbage")).toBeUndefined();
    expect(backend.outputFile(makeSpec(), "123")).toBeUndefined();
  });

  it("follows -o from job-extra-directives (the last one wins), and a relative one only with an absolute -cwd", () => {
    expect(backend.outputFile(makeSpec({ logDirectory: "/a", extraDirectives: ["-oo /b/%J.log"] }), "5")).toBe("/b/5.log");
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-o out/%J.log"] }), "5")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ extraDirectives: ["-o out/%J.log", "-cwd /work"] }), "5")).toBe("/work/out/5.log");
    expect(backend.outputFile(makeSpec({ logDirectory: "/a", directivesSkip: ["-o "] }), "5")).toBeUndefined();
    expect(backend.outputFile(makeSpec({ memory: -1, logDirectory: "/a" }), "5")).toBeUndefined();
  });

  it("lists the directories to create before bsub", () => {
    expect(outputDirectories("#BSUB -o /a/b/%J.out\n#BSUB -e /c/%J/e.err\n")).toEqual(["/a/b"]);
    expect(outputDirectories("#BSUB -o rel/x.out\n")).toEqual(["rel"]);
    expect(outputDirectories("#BSUB -cwd /w\n#BSUB -o rel/x.out\n#BSUB -e /e/x\n")).toEqual(["/w/rel", "/e"]);
    expect(outputDirectories("#BSUB -o x.out\n")).toEqual([]);
    expect(outputDirectories("#BSUB -o /x.out\n")).toEqual(["/"]);
    expect(outputFileOf([], "1")).toBeUndefined();
  });
});
