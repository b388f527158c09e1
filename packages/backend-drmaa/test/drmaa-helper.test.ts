/**
 * The DRMAA helper process against the REAL Grid Engine libdrmaa of the testbed
 * (packages/testing/testbed/sge.sh + drmaa.sh). Under CI=true a missing SGE or libdrmaa fails this
 * file; elsewhere it is skipped.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, requireService } from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmaaAction, DrmaaErrno, DrmaaPs } from "../src/drmaa-constants.js";
import { DrmaaHelper } from "../src/drmaa-helper.js";
import type { JobPsAnswer, JobTemplate } from "../src/helper-protocol.js";
import { LIBDRMAA, START_DRMAA, drmaaIsUp } from "./drmaa-available.js";

const enabled = requireService("Grid Engine DRMAA (libdrmaa)", await drmaaIsUp(), START_DRMAA);

describe.skipIf(!enabled)("DRMAA helper process on Grid Engine's libdrmaa", () => {
  let helper: DrmaaHelper;
  let dir: string;
  const submitted: string[] = [];

  const template = (overrides: Partial<JobTemplate>): JobTemplate => ({
    remoteCommand: "/bin/sh",
    args: ["-c", "exit 0"],
    env: {},
    jobName: "daskq-drmaa-helper-test",
    outputPath: `:${dir}/out.$drmaa_incr_ph$`,
    nativeSpecification: "",
    ...overrides,
  });

  const run = async (t: JobTemplate, count: number) => {
    const ids = await helper.request<string[]>({ op: "runBulkJobs", template: t, count });
    submitted.push(...ids);
    return ids;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "daskq-drmaa-helper-"));
    // Started from a clean environment: the helper must add GLIBC_TUNABLES and SGE_ROOT itself.
    const env = { ...process.env };
    delete env["GLIBC_TUNABLES"];
    delete env["SGE_ROOT"];
    helper = await DrmaaHelper.start({ library: LIBDRMAA, env });
  });

  afterAll(async () => {
    if (helper?.alive) {
      await helper.request({ op: "control", ids: submitted, action: DrmaaAction.TERMINATE });
      await helper.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("runs n jobs in one drmaa_run_bulk_jobs call, argv and env verbatim, and reports how they ended", async () => {
    const ids = await run(
      template({
        args: ["-c", 'printf "[%s]" "$@"; echo " X=$X task=$SGE_TASK_ID"; exit 3', "sh", "a b;c $HOME", `'q"`],
        env: { X: "x y $HOME" },
      }),
      2,
    );
    expect(ids).toHaveLength(2);
    const [jobId] = (ids[0] as string).split(".");
    expect(ids).toEqual([`${jobId}.1`, `${jobId}.2`]);

    let answers: Record<string, JobPsAnswer> = {};
    const ended = await eventually(async () => {
      answers = await helper.request({ op: "jobPs", ids });
      return ids.every((id) => (answers[id] as { ps?: number }).ps === DrmaaPs.DONE);
    }, 30_000, 300);
    expect(ended, JSON.stringify(answers)).toBe(true);
    for (const id of ids) expect(answers[id]).toEqual({ ps: DrmaaPs.DONE, exit: { exitCode: 3 } });
    // Reaped jobs are still answered (DRMAA itself forgets them after drmaa_wait).
    expect(await helper.request({ op: "jobPs", ids })).toEqual(answers);

    for (const [i, task] of [1, 2].entries()) {
      const output = await readFile(join(dir, `out.${task}`), "utf8");
      expect(output, `output of ${ids[i]}`).toBe(`[a b;c $HOME]['q"] X=x y $HOME task=${task}\n`);
    }
  });

  it("terminates with drmaa_control, and reports unknown ids per id", async () => {
    // -h: held, so the job is certainly there to be terminated.
    const [id] = await run(template({ args: ["-c", "sleep 60"], nativeSpecification: "-h" }), 1);
    const before = await helper.request<Record<string, JobPsAnswer>>({ op: "jobPs", ids: [id as string] });
    expect(before[id as string]).toEqual({ ps: DrmaaPs.USER_ON_HOLD });
    const failures = await helper.request<Record<string, { errno: number }>>({ op: "control", ids: [id as string, "99999999"], action: DrmaaAction.TERMINATE });
    expect(Object.keys(failures)).toEqual(["99999999"]);
    expect(failures["99999999"]?.errno).toBe(DrmaaErrno.INVALID_JOB);
    const gone = await eventually(async () => {
      const after = await helper.request<Record<string, JobPsAnswer>>({ op: "jobPs", ids: [id as string] });
      const answer = after[id as string] as { ps?: number; errno?: number };
      return answer.ps === DrmaaPs.FAILED || answer.errno === DrmaaErrno.INVALID_JOB;
    }, 20_000, 300);
    expect(gone).toBe(true);
  });

  it("keeps the library out of daskq's process: while a DRMAA call hangs, daskq's event loop goes on", async () => {
    await helper.request({ op: "jobPs", ids: ["99999999"] });
    expect(readFileSync("/proc/self/maps", "utf8")).not.toContain("libdrmaa");
    expect(readFileSync(`/proc/${helper.pid}/maps`, "utf8")).toContain("libdrmaa");
    // A stopped helper stands for a DRMAA call blocked in the library (a qmaster that does not answer).
    process.kill(helper.pid as number, "SIGSTOP");
    let answered = false;
    try {
      const pending = helper.request({ op: "jobPs", ids: ["99999999"] }).then(() => (answered = true));
      let ticks = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => ++ticks === 5 && (clearInterval(timer), resolve()), 10);
      });
      expect(answered).toBe(false);
      process.kill(helper.pid as number, "SIGCONT");
      await pending;
    } finally {
      process.kill(helper.pid as number, "SIGCONT");
    }
    expect(answered).toBe(true);
  });

  it("says which DRMAA call failed and why, naming the library", async () => {
    await expect(run(template({ nativeSpecification: "-q no_such_queue_daskq" }), 1)).rejects.toThrow(
      /^\[daskq:drmaa\] drmaa_run_bulk_jobs failed: .*no_such_queue_daskq.*\(library \/usr\/lib\/gridengine-drmaa\/lib\/libdrmaa\.so\.1\.0\)$/,
    );
  });

  it("fails the requests of a helper that died, saying how it ended", async () => {
    const doomed = await DrmaaHelper.start({ library: LIBDRMAA });
    process.kill(doomed.pid as number, "SIGKILL");
    await expect(doomed.request({ op: "jobPs", ids: ["1"] })).rejects.toThrow(/^\[daskq:drmaa\] the DRMAA helper for .*libdrmaa\.so\.1\.0 killed by SIGKILL/);
    expect(doomed.alive).toBe(false);
  });

  it("names the library path when it cannot be loaded", async () => {
    await expect(DrmaaHelper.start({ library: join(dir, "missing-libdrmaa.so") })).rejects.toThrow(
      new RegExp(`^\\[daskq:drmaa\\] cannot load the DRMAA library ${dir}/missing-libdrmaa\\.so: .*No such file`),
    );
    await expect(DrmaaHelper.start({ library: "libz.so.1" })).rejects.toThrow(/cannot load the DRMAA library libz\.so\.1: not a DRMAA 1\.0 library/);
  });
});
