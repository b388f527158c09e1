import { describe, expect, it } from "vitest";
import { ArrayBook } from "../src/cancel-plan.js";
import { liveTasksOfArray, namedJobsOfRecords, recordRow, statusOfRecords } from "../src/job-records.js";
import type { JobRecord } from "../src/slurmrest-client.js";

// Records as `GET /slurm/v0.0.38/jobs` of slurmrestd 22.05.8 returned them (recorded on the testbed,
// fields daskq does not read removed): array 3 wholly pending in partition `down` after task 1 was
// cancelled; array 4 (`0-3%3`) with task 1 failed (exit 3) and the others running; plain job 1 done.
const RECORDS: JobRecord[] = [
  { job_id: 1, array_job_id: 0, array_task_id: null, array_task_string: "", job_state: "COMPLETED", state_reason: "None" },
  { job_id: 3, array_job_id: 3, array_task_id: null, array_task_string: "0,2-3", job_state: "PENDING", state_reason: "PartitionDown" },
  { job_id: 5, array_job_id: 4, array_task_id: 0, array_task_string: "", job_state: "RUNNING", state_reason: "None" },
  { job_id: 6, array_job_id: 4, array_task_id: 1, array_task_string: "", job_state: "FAILED", state_reason: "NonZeroExitCode" },
  { job_id: 4, array_job_id: 4, array_task_id: 3, array_task_string: "", job_state: "RUNNING", state_reason: "None" },
];

describe("job records as statuses", () => {
  it("maps tasks, pending task ranges and plain jobs like squeue's rows", () => {
    expect(recordRow(RECORDS[1] as JobRecord)).toEqual({
      id: { kind: "tasks", arrayJobId: "3", ranges: [{ first: 0, last: 0, step: 1 }, { first: 2, last: 3, step: 1 }] },
      native: "PENDING",
      reason: "PartitionDown",
    });
    const report = statusOfRecords(RECORDS, ["1", "3_0", "3_1", "3_3", "4_0", "4_1", "4_2", "4_3", "77"]);
    expect(Object.fromEntries(report)).toEqual({
      "1": { state: "finished", native: "COMPLETED" },
      "3_0": { state: "queued", native: "PENDING", reason: "PartitionDown" },
      "3_3": { state: "queued", native: "PENDING", reason: "PartitionDown" },
      "4_0": { state: "running", native: "RUNNING" },
      "4_1": { state: "failed", native: "FAILED", reason: "NonZeroExitCode" },
      "4_3": { state: "running", native: "RUNNING" },
    });
  });

  it("an unknown state is queued, and the caller is told", () => {
    const seen: string[] = [];
    const report = statusOfRecords([{ job_id: 9, job_state: "WEIRD" }], ["9"], (w) => seen.push(w));
    expect(report.get("9")).toEqual({ state: "queued", native: "WEIRD" });
    expect(seen).toEqual(["WEIRD"]);
  });
});

describe("jobs by name (a submit whose answer was lost)", () => {
  const named = (record: Omit<JobRecord, "name">, name = "dask-worker-daskq-0a1b2c3d"): JobRecord => ({ ...record, name });

  it("lists unfinished jobs and tasks of that name, pending task ranges task by task", () => {
    const records = [
      named({ job_id: 8, array_job_id: 8, array_task_id: null, array_task_string: "2-5:3%2", job_state: "PENDING" }),
      named({ job_id: 9, array_job_id: 8, array_task_id: 0, array_task_string: "", job_state: "RUNNING" }),
      named({ job_id: 10, array_job_id: 8, array_task_id: 1, array_task_string: "", job_state: "FAILED" }),
      named({ job_id: 11, array_job_id: 0, array_task_id: null, array_task_string: "", job_state: "CONFIGURING" }),
      named({ job_id: 12, array_job_id: 0, array_task_id: null, array_task_string: "", job_state: "COMPLETED" }),
      named({ job_id: 13, array_job_id: 0, array_task_id: null, array_task_string: "", job_state: "PENDING" }, "dask-worker-daskq-ffffffff"),
    ];
    expect(namedJobsOfRecords(records, "dask-worker-daskq-0a1b2c3d")).toEqual([
      { id: "8_2", arrayIndex: 2 },
      { id: "8_5", arrayIndex: 5 },
      { id: "8_0", arrayIndex: 0 },
      { id: "11" },
    ]);
    expect(namedJobsOfRecords(records, "dask-worker")).toEqual([]);
  });
});

describe("live tasks of an array", () => {
  it("pending ranges and started tasks that have not ended", () => {
    expect(liveTasksOfArray(RECORDS, "3")).toEqual([0, 2, 3]);
    expect(liveTasksOfArray(RECORDS, "4")).toEqual([0, 3]);
    expect(liveTasksOfArray(RECORDS, "1")).toEqual([]);
  });
});

describe("ArrayBook: cancels as few requests as possible", () => {
  it("all live tasks of an array -> the array id, once", () => {
    const book = new ArrayBook();
    book.add("10", 4);
    expect(book.plan(["10_0", "10_1", "10_2", "10_3", "10_3"])).toEqual(["10"]);
    expect(book.plan(["10_0"])).toEqual(["10_0"]);
  });

  it("tasks that ended need no cancel: the rest is still the whole array", () => {
    const book = new ArrayBook();
    book.add("10", 4);
    book.ended("10_1");
    expect(book.plan(["10_0", "10_2", "10_3"])).toEqual(["10"]);
  });

  it("a part of an array is cancelled task by task, and is no longer live", () => {
    const book = new ArrayBook();
    book.add("10", 4);
    expect(book.plan(["10_3", "10_2"])).toEqual(["10_3", "10_2"]);
    expect(book.plan(["10_0", "10_1"])).toEqual(["10"]);
  });

  it("names the arrays whose live tasks it must learn first: two or more tasks asked, not known", () => {
    const book = new ArrayBook();
    book.add("10", 4);
    expect(book.unknownArrays(["10_0", "10_1", "11_0", "11_1", "12_0", "13", "abc"])).toEqual(["11"]);
    book.learn("11", [1, 5]);
    expect(book.unknownArrays(["11_1", "11_5"])).toEqual([]);
    expect(book.plan(["11_1", "11_5"])).toEqual(["11"]);
  });

  it("plain jobs and unknown arrays go one by one; non-Slurm ids are dropped", () => {
    const book = new ArrayBook();
    expect(book.plan(["5", "7_1", "abc", "1+0"])).toEqual(["5", "7_1"]);
  });
});
