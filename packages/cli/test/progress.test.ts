import { describe, expect, it } from "vitest";
import type { ClusterStatus } from "@daskq/core";
import { formatProgress, ProgressLine } from "../src/progress.js";

const recorder = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, output: { isTTY, write: (t: string) => written.push(t) } };
};

describe("ProgressLine", () => {
  it("on a terminal redraws ONE line in place, and clears it before other output", () => {
    const { written, output } = recorder(true);
    const line = new ProgressLine(output);
    line.show("0/8 workers, 8 jobs queued");
    line.show("3/8 workers, 5 jobs queued, 1 failed");
    line.clear();
    line.show("3/8 workers, 5 jobs queued, 1 failed");
    line.end();
    expect(written.join("")).toBe("\r\x1b[2K0/8 workers, 8 jobs queued\r\x1b[2K3/8 workers, 5 jobs queued, 1 failed\r\x1b[2K\r\x1b[2K3/8 workers, 5 jobs queued, 1 failed\n");
  });

  it("elsewhere prints plain lines, only when they change", () => {
    const { written, output } = recorder(false);
    const line = new ProgressLine(output);
    for (const text of ["0/8 workers, 8 jobs queued", "0/8 workers, 8 jobs queued", "3/8 workers, 5 jobs queued"]) line.show(text);
    line.clear();
    line.end();
    expect(written).toEqual(["0/8 workers, 8 jobs queued\n", "3/8 workers, 5 jobs queued\n"]);
  });
});

describe("formatProgress", () => {
  const status = (otherWorkers: number) =>
    ({ targetJobs: 2, jobs: [{ state: "running" }, { state: "queued" }], counts: { queued: 1, running: 1, workers: 1, otherWorkers } }) as unknown as ClusterStatus;

  it("counts this cluster's workers, and names the scheduler's other workers (another daskq process's) apart", () => {
    expect(formatProgress(status(0), 1)).toBe("1/2 workers, 1 jobs queued");
    expect(formatProgress(status(3), 1)).toBe("1/2 workers, 1 jobs queued, 3 other workers on the scheduler");
  });
});
