import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createLsfBackend } from "../src/lsf-descriptor.js";
import { expandLsfPattern, outputFileOf } from "../src/lsf-output.js";
import { FakeRunner, makeSpec, scriptRequest } from "./helpers.js";

describe("output files", () => {
  it("expands %J and %I, with index 0 for a job that is not an array (bsub -o)", () => {
    expect(expandLsfPattern("/l/w-%J_%I.out", "12", 0)).toBe("/l/w-12_0.out");
    expect(expandLsfPattern("%J.%I.%J", "12", 3)).toBe("12.3.12");
  });

  it("is <output directory>/<name>-<job id>_<index>.out, index 0 for a job that is not an array", () => {
    expect(outputFileOf("/scratch/logs", "dask-worker", "123")).toBe("/scratch/logs/dask-worker-123_0.out");
    expect(outputFileOf("/scratch/logs/", "dask-worker", "123[4]")).toBe("/scratch/logs/dask-worker-123_4.out");
    expect(outputFileOf("/l", "my worker", "5")).toBe("/l/dask-worker-5_0.out");
    expect(outputFileOf("/l", "dask-worker", "garbage")).toBeUndefined();
  });

  it("renders -o and -e into the context's output directory, and none without one", () => {
    const backend = createLsfBackend({ runner: new FakeRunner(), logger: silentLogger, options: { "lsf-units": "KB" }, clusterId: "daskq-test" });
    expect(backend.header(makeSpec(), { jobName: "w", outputDirectory: "/o" }).slice(-2)).toEqual(["#BSUB -o /o/w-%J_%I.out", "#BSUB -e /o/w-%J_%I.out"]);
    expect(backend.header(makeSpec({ logDirectory: "/ignored" }), { jobName: "w" }).some((l) => l.includes(" -o "))).toBe(false);
  });

  it("logTail reads the file recorded at submission, through the runner", async () => {
    const runner = new FakeRunner().reply("bsub", { stdout: "Job <42> is submitted to default queue <normal>.\n" });
    const backend = createLsfBackend({ runner, logger: silentLogger, options: { "lsf-units": "KB" }, clusterId: "daskq-test" });
    const [id] = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1, outputDirectory: "/out" }));
    runner.files.set("/out/dask-worker-42_0.out", { content: "/nonexistent/python3: No such file or directory\n", mode: undefined });
    expect(await backend.logTail(id as string, 20)).toBe("/nonexistent/python3: No such file or directory");
  });
});
