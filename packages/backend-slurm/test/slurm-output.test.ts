import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createSlurmBackend } from "../src/slurm-descriptor.js";
import { expandOutputPattern, outputFileOf } from "../src/slurm-output.js";
import { FakeRunner, makeSpec, scriptRequest } from "./helpers.js";

describe("output file", () => {
  it("is <output directory>/<name>-<array job>_<task>.out for array tasks", () => {
    expect(outputFileOf("/logs", "dask-worker", "123_4")).toBe("/logs/dask-worker-123_4.out");
  });

  it("uses task 4294967294 for a job that is not an array, as Slurm expands %a", () => {
    expect(outputFileOf("/logs/", "dask-worker", "123")).toBe("/logs/dask-worker-123_4294967294.out");
  });

  it("undoes the %-escaping of the directory and keeps spaces", () => {
    expect(outputFileOf("/a b/100%", "dask-worker", "9_0")).toBe("/a b/100%/dask-worker-9_0.out");
  });

  it("is undefined for ids that are not Slurm ids", () => {
    expect(outputFileOf("/logs", "dask-worker", "123+0")).toBeUndefined();
  });

  it("expands Slurm's file name patterns, with padding", () => {
    const values = { arrayJobId: "12", taskId: 3, jobId: "15", jobName: "w" };
    expect(expandOutputPattern("%x_%A_%a_%j_%%_%4a.out", values)).toBe("w_12_3_15_%_0003.out");
    expect(expandOutputPattern("%N-%j.out", values)).toBeUndefined();
    expect(expandOutputPattern("a\\%j", values)).toBeUndefined();
  });
});

describe("logTail", () => {
  it("reads the file recorded at submission through the runner, after creating the output directory once", async () => {
    const runner = new FakeRunner().reply("sbatch", { stdout: "77\n" }, { stdout: "78\n" });
    const backend = createSlurmBackend({ runner, logger: silentLogger, clusterId: "daskq-test" });
    const spec = makeSpec();
    const [one] = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1, spec, outputDirectory: "/home/u/.daskq/clusters/c/logs" }));
    const array = await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 2, spec, outputDirectory: "/home/u/.daskq/clusters/c/logs" }));
    expect(runner.callsOf("mkdir")).toEqual([{ command: "mkdir", args: ["-p", "--", "/home/u/.daskq/clusters/c/logs"], input: undefined }]);
    runner.files.set("/home/u/.daskq/clusters/c/logs/dask-worker-77_4294967294.out", { content: "a\nb\n/nonexistent/python3: No such file or directory\n\n", mode: undefined });
    runner.files.set("/home/u/.daskq/clusters/c/logs/dask-worker-78_1.out", { content: "task 1\n", mode: undefined });
    expect(await backend.logTail(one as string, 2)).toBe("b\n/nonexistent/python3: No such file or directory");
    expect(await backend.logTail(array[1] as string, 20)).toBe("task 1");
    expect(await backend.logTail(array[0] as string, 20)).toBeUndefined();
    expect(await backend.logTail("999", 20)).toBeUndefined();
  });

  it("finds the file of a job adopted without its cluster's tagged job name (daskq logs) with ONE find", async () => {
    const dir = "/logs";
    const tagged = `${dir}/dask-worker-daskq-0123abcd-80_4294967294.out`;
    const runner = new FakeRunner().reply("find", (call) => ({ stdout: call.args.at(-1) === "*-80_4294967294.out" ? `${tagged}\n` : "" }));
    runner.files.set(tagged, { content: "one\ntwo\n", mode: undefined });
    const backend = createSlurmBackend({ runner, logger: silentLogger, clusterId: "daskq-test" });
    backend.adoptJob?.("80", { spec: makeSpec(), outputDirectory: dir });
    backend.adoptJob?.("81_2", { spec: makeSpec(), outputDirectory: "-odd" });
    expect(await backend.logTail("80", 1)).toBe("two");
    expect(await backend.logTail("81_2", 1)).toBeUndefined();
    expect(runner.callsOf("find").map((c) => c.args)).toEqual([
      [dir, "-maxdepth", "1", "-type", "f", "-name", "*-80_4294967294.out"],
      ["./-odd", "-maxdepth", "1", "-type", "f", "-name", "*-81_2.out"],
    ]);
  });

  it("renders -o into the context's output directory, and none without one", () => {
    const backend = createSlurmBackend({ runner: new FakeRunner(), logger: silentLogger, clusterId: "daskq-test" });
    expect(backend.header(makeSpec(), { jobName: "w", outputDirectory: "/o/100%" })).toContain("#SBATCH -o /o/100%%/%x-%A_%a.out");
    expect(backend.header(makeSpec({ logDirectory: "/ignored" }), { jobName: "w" }).some((l) => l.includes(" -o "))).toBe(false);
  });
});
