import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSgeBackend } from "../src/sge-descriptor.js";
import { outputFileOf } from "../src/sge-output.js";
import { FakeRunner, makeSpec, scriptRequest } from "./helpers.js";

describe("output file", () => {
  it("is <output directory>/<name>.o<job> for a job and .o<job>.<task> for an array task", () => {
    expect(outputFileOf("/logs", "dask-worker", "123")).toBe("/logs/dask-worker.o123");
    expect(outputFileOf("/logs/", "dask-worker", "123.4")).toBe("/logs/dask-worker.o123.4");
    expect(outputFileOf("/logs", "dask-worker", "not-an-id")).toBeUndefined();
  });

  it("goes to the context's output directory (-o <dir>/ with -j y), and nowhere special without one", () => {
    const backend = createSgeBackend({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
    expect(backend.header(makeSpec(), { jobName: "w", outputDirectory: "/o" }).slice(-3)).toEqual(["#$ -cwd", "#$ -j y", "#$ -o /o/"]);
    expect(backend.header(makeSpec({ logDirectory: "/ignored" }), { jobName: "w" }).some((l) => l.includes(" -o "))).toBe(false);
  });

  it("logTail reads the file recorded at submission, through the runner", async () => {
    const runner = new FakeRunner().reply("qsub", { stdout: "55\n" });
    const backend = createSgeBackend({ runner, logger: silentLogger, clusterId: "daskq-test" });
    const [id] = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1, outputDirectory: "/out" }));
    runner.files.set("/out/dask-worker.o55", { content: "x\n/nonexistent/python3: No such file or directory\n", mode: undefined });
    expect(await backend.logTail(id as string, 1)).toBe("/nonexistent/python3: No such file or directory");
  });
});
