import { describe, expect, it } from "vitest";
import { outputFileOfTask, outputPathPattern, workerJobTemplate } from "../src/drmaa-job-template.js";

describe("DRMAA job template of a worker", () => {
  it("runs the job script with no arguments or environment of its own, output per task through $drmaa_incr_ph$", () => {
    const outputPattern = outputPathPattern("/logs/", "dask-worker", "daskq-ab12cd34-1");
    expect(workerJobTemplate({ spec: { jobName: "dask-worker" }, scriptPath: "/logs/.s/job-1.sh", outputPattern, nativeSpecification: "-b n -q q", workingDirectory: "/work" })).toEqual({
      remoteCommand: "/logs/.s/job-1.sh",
      args: [],
      env: {},
      jobName: "dask-worker",
      outputPath: ":/logs/dask-worker.daskq-ab12cd34-1.$drmaa_incr_ph$.log",
      workingDirectory: "/work",
      nativeSpecification: "-b n -q q",
    });
    expect(outputFileOfTask(outputPattern, 2)).toBe("/logs/dask-worker.daskq-ab12cd34-1.2.log");
  });
});
