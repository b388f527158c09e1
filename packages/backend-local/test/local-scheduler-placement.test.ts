import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JobQueueCluster } from "@daskq/core";
import { hasDaskPython, PYTHON, requireService } from "@daskq/testing";
import { localBackend } from "../src/index.js";

const present = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe.runIf(present)("scheduler-placement job with a backend that cannot run the scheduler as a job", () => {
  it("is a clear config error naming the key, and leaves no state file behind", async () => {
    const stateDirectory = await mkdtemp(join(tmpdir(), "daskq-placement-"));
    try {
      const create = JobQueueCluster.create({ backend: localBackend, job: { python: PYTHON, "scheduler-placement": "job" }, env: { PATH: process.env["PATH"] ?? "" }, stateDirectory, handleSignals: false, watchdog: false, tls: false });
      await expect(create).rejects.toThrow(/^\[daskq:config\] jobqueue\.local\.scheduler-placement: "job" needs a backend that runs the scheduler as a job; local does not/);
      expect(await readdir(stateDirectory)).toEqual([]);
    } finally {
      await rm(stateDirectory, { recursive: true, force: true });
    }
  });
});
