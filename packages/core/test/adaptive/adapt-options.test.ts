import { describe, expect, it } from "vitest";
import { adaptiveTargetUnit, jobBounds, targetWorkers, type JobSpec } from "../../src/index.js";

const spec = { cores: 4, memory: 8e9, processes: 2 } as JobSpec;

describe("adaptive_target's unit", () => {
  it("is threads on distributed 2022.x and workers from 2023 on", () => {
    expect(adaptiveTargetUnit("2022.12.1+ds.1")).toBe("threads");
    // distributed PR #8041 ("Respect average nthreads in adaptive") shipped in 2023.8.0.
    expect(adaptiveTargetUnit("2023.1.0")).toBe("threads");
    expect(adaptiveTargetUnit("2023.7.1")).toBe("threads");
    expect(adaptiveTargetUnit("2023.8.0")).toBe("workers");
    expect(adaptiveTargetUnit("2023.10.1")).toBe("workers");
    expect(adaptiveTargetUnit("2024.1.0")).toBe("workers");
    expect(adaptiveTargetUnit("2026.3.0")).toBe("workers");
    expect(adaptiveTargetUnit(undefined)).toBe("workers");
  });

  it("converts a thread count by the threads per worker, rounding up", () => {
    expect(targetWorkers(7, "threads", 2)).toBe(4);
    expect(targetWorkers(7, "workers", 2)).toBe(7);
    expect(targetWorkers(-1, "workers", 2)).toBe(0);
  });
});

describe("adapt bounds in whole jobs", () => {
  it("rounds minimums up and maximums down, from workers, jobs, cores or memory", () => {
    expect(jobBounds({ minimum: 3, maximum: 9 }, spec)).toEqual({ minJobs: 2, maxJobs: 4 });
    expect(jobBounds({ minimumJobs: 1, maximumJobs: 5 }, spec)).toEqual({ minJobs: 1, maxJobs: 5 });
    expect(jobBounds({ minimumCores: 5, maximumCores: 16 }, spec)).toEqual({ minJobs: 2, maxJobs: 4 });
    expect(jobBounds({ maximumMemory: 20e9 }, spec)).toEqual({ minJobs: 0, maxJobs: 2 });
    expect(jobBounds({}, spec)).toEqual({ minJobs: 0, maxJobs: Infinity });
  });

  it("rejects two kinds on one side, negative bounds, and bounds that leave no whole job count", () => {
    expect(() => jobBounds({ minimum: 2, minimumJobs: 1 }, spec)).toThrow(/\[daskq:adaptive\] give one minimum .*workers and jobs/);
    expect(() => jobBounds({ maximum: -1 }, spec)).toThrow(/maximum workers must be a number >= 0/);
    expect(() => jobBounds({ minimum: 3, maximum: 3 }, spec)).toThrow(/at least 2 and at most 1 job/);
  });
});
