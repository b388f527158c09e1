import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createPbsBackend } from "../src/pbs-descriptor.js";
import { outputFileOf } from "../src/pbs-output.js";
import { FakeRunner, makeSpec, scriptRequest } from "./helpers.js";

describe("output files", () => {
  it("PBS Pro: <output directory>/<job id>.OU for jobs and subjobs (qsub(1B): a path without a file name)", () => {
    expect(outputFileOf("/scratch/logs", "dask-worker", "12.server", "pro")).toBe("/scratch/logs/12.server.OU");
    expect(outputFileOf("/scratch/logs/", "dask-worker", "13[2].server", "pro")).toBe("/scratch/logs/13[2].server.OU");
  });

  it("Torque: <output directory>/<name>.o<seq>, subjobs with -<index> (Torque's add_std_filename, array cloning)", () => {
    expect(outputFileOf("/scratch/logs", "dask-worker", "12.server", "torque")).toBe("/scratch/logs/dask-worker.o12");
    expect(outputFileOf("/scratch/logs", "dask-worker", "13[2].server", "torque")).toBe("/scratch/logs/dask-worker.o13-2");
  });

  it("is unknown for ids that are not PBS ids (Moab)", () => {
    expect(outputFileOf("/l", "dask-worker", "Moab.12", "moab")).toBeUndefined();
  });

  it("joins the streams into the context's output directory, and names none without one", () => {
    const backend = createPbsBackend({ runner: new FakeRunner(), logger: silentLogger, options: { flavour: "pro" }, clusterId: "daskq-test" }, {});
    expect(backend.header(makeSpec(), { jobName: "w", outputDirectory: "/o" }).slice(-2)).toEqual(["#PBS -j oe", "#PBS -o /o/"]);
    expect(backend.header(makeSpec({ logDirectory: "/ignored" }), { jobName: "w" }).some((l) => l.includes(" -o "))).toBe(false);
  });

  it("logTail reads the file recorded at submission, through the runner", async () => {
    const runner = new FakeRunner().reply("qsub", { stdout: "7.server\n" });
    const backend = createPbsBackend({ runner, logger: silentLogger, options: { flavour: "pro" }, clusterId: "daskq-test" }, {});
    const [id] = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1, outputDirectory: "/out" }));
    runner.files.set("/out/7.server.OU", { content: "line 7: /nonexistent/python3: No such file or directory\n", mode: undefined });
    expect(await backend.logTail(id as string, 20)).toBe("line 7: /nonexistent/python3: No such file or directory");
  });
});
