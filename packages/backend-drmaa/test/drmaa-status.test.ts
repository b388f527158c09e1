import { describe, expect, it } from "vitest";
import { DrmaaErrno, DrmaaPs } from "../src/drmaa-constants.js";
import { statusesOf, statusOfPs } from "../src/drmaa-status.js";

describe("DRMAA job states", () => {
  it("maps drmaa_job_ps program states, with how an ended job ended", () => {
    expect(statusOfPs(DrmaaPs.QUEUED_ACTIVE)).toEqual({ state: "queued", native: "QUEUED_ACTIVE" });
    expect(statusOfPs(DrmaaPs.USER_ON_HOLD)).toEqual({ state: "queued", native: "USER_ON_HOLD", reason: "on hold" });
    expect(statusOfPs(DrmaaPs.RUNNING)).toEqual({ state: "running", native: "RUNNING" });
    expect(statusOfPs(DrmaaPs.USER_SUSPENDED)).toEqual({ state: "running", native: "USER_SUSPENDED", reason: "suspended" });
    expect(statusOfPs(DrmaaPs.DONE, { exitCode: 0 })).toEqual({ state: "finished", native: "DONE" });
    expect(statusOfPs(DrmaaPs.DONE, {})).toEqual({ state: "finished", native: "DONE" });
    // Grid Engine reports DONE for any exit code (measured: exit 3 is DONE, exit status 3).
    expect(statusOfPs(DrmaaPs.DONE, { exitCode: 127 })).toEqual({ state: "failed", native: "DONE", reason: "exited with code 127" });
    expect(statusOfPs(DrmaaPs.DONE, { signal: "SIGKILL" })).toEqual({ state: "failed", native: "DONE", reason: "killed by SIGKILL" });
    expect(statusOfPs(DrmaaPs.FAILED)).toEqual({ state: "failed", native: "FAILED", reason: "the batch system reports that the job failed" });
  });

  it("leaves ids DRMAA does not know out, and returns other errors for the caller to fail the poll", () => {
    const { statuses, errors } = statusesOf({
      "1.1": { ps: DrmaaPs.RUNNING },
      "2": { errno: DrmaaErrno.INVALID_JOB, message: "The job specified by the 'jobid' does not exist." },
      "3": { errno: 2, message: "unable to contact qmaster" },
    });
    expect([...statuses.keys()]).toEqual(["1.1"]);
    expect(errors).toEqual(["3: unable to contact qmaster"]);
  });
});
