import { execFileSync } from "node:child_process";
import type { WorkerLaunch } from "@daskq/core";
import { testJobSpec } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { outputFileOfTask, outputPathPattern, workerJobTemplate } from "../src/drmaa-job-template.js";

const launch = (overrides: Partial<WorkerLaunch> = {}): WorkerLaunch => ({
  argv: ["/usr/bin/printf", "[%s]", "a b", "$(touch /tmp/daskq-pwned)", `'";`],
  schedulerAddress: "tcp://10.0.0.1:8786",
  expandOnNode: [],
  env: { DASK_X: "1" },
  naming: { kind: "array", base: "dask-worker-c1" },
  prologue: [],
  epilogue: [],
  ...overrides,
});

/** Runs a template's command the way the job would: the real /bin/sh with its argv. */
const runJob = (template: ReturnType<typeof workerJobTemplate>, env: Record<string, string> = {}) =>
  execFileSync(template.remoteCommand, template.args as string[], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", ...template.env, ...env } });

const template = (worker: WorkerLaunch) =>
  workerJobTemplate({
    spec: testJobSpec(),
    worker,
    outputPattern: outputPathPattern("/logs/", "dask-worker", "ab12-1"),
    nativeSpecification: "-q q",
    indexVariable: "SGE_TASK_ID",
    workingDirectory: "/work",
  });

describe("DRMAA job template of a worker", () => {
  // core puts --name after python, -m, the module and the scheduler: here after the 4th word.
  it("runs the worker argv verbatim under /bin/sh, naming a bulk task's worker <base>-<task index>", () => {
    const t = template(launch());
    expect(t).toMatchObject({
      remoteCommand: "/bin/sh",
      env: { DASK_X: "1" },
      jobName: "dask-worker",
      outputPath: ":/logs/dask-worker.ab12-1.$drmaa_incr_ph$.log",
      workingDirectory: "/work",
      nativeSpecification: "-q q",
    });
    expect(runJob(t, { SGE_TASK_ID: "3" })).toBe(`[a b][$(touch /tmp/daskq-pwned)][--name][dask-worker-c1-3]['";]`);
    expect(outputFileOfTask(outputPathPattern("/logs", "w", "s"), 2)).toBe("/logs/w.s.2.log");
  });

  it("expands only the $VAR references core leaves live (local-directory: $TMPDIR/dask)", () => {
    const t = template(launch({ argv: ["/usr/bin/printf", "[%s]", "$TMPDIR/dask", "$HOME", "x"], expandOnNode: [2] }));
    expect(runJob(t, { SGE_TASK_ID: "1", TMPDIR: "/scratch", HOME: "/home/u" })).toBe("[/scratch/dask][$HOME][--name][dask-worker-c1-1][x]");
  });

  it("gives a single job its fixed name, runs the prologue and epilogue around the worker, and exits with the worker's code", () => {
    const t = template(
      launch({ naming: { kind: "fixed", name: "solo" }, prologue: ["export P='pro logue'", "if true; then echo \"$P\"", "fi"], epilogue: ["echo epi"] }),
    );
    expect(runJob(t)).toBe(`pro logue\n[a b][$(touch /tmp/daskq-pwned)][--name][solo]['";]epi\n`);
    // Grid Engine cuts a DRMAA argument at its first line break (measured): the script is one line.
    expect(t.args[1]).not.toMatch(/\n/);
    const failing = template(launch({ argv: ["/nonexistent/python3"], epilogue: ["echo epi"] }));
    expect(() => runJob(failing)).toThrow(expect.objectContaining({ status: 127 }));
  });

  it("refuses a line break in an argument, which a DRMAA job argument cannot carry", () => {
    expect(() => template(launch({ argv: ["python", "a\nb"] }))).toThrow(/^\[daskq:drmaa\] ".*a\\nb.*" contains a line break, which a DRMAA job argument cannot carry/);
  });
});
