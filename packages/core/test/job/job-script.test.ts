import { describe, expect, it } from "vitest";
import {
  DaskqError,
  JobNaming,
  nextJobState,
  renderJobScript,
  shellQuote,
  shellQuoteExpandingVariables,
  workerArgv,
  workerLaunch,
  type Backend,
  type JobSpec,
} from "../../src/index.js";
import { renderSchedulerCheck } from "../../src/job/scheduler-check.js";

const spec: JobSpec = {
  jobName: "dask-worker",
  cores: 4,
  memory: 8e9,
  processes: 2,
  python: "/opt/conda env/bin/python",
  interface: "ib0",
  deathTimeout: 60,
  localDirectory: "$TMPDIR",
  workerCommand: "distributed.cli.dask_worker",
  workerExtraArgs: ["--resources", "GPU=1", "--lifetime", "55m"],
  nanny: true,
  prologue: ["module load python"],
  epilogue: ["echo done"],
  extraDirectives: ["--exclusive"],
  directivesSkip: ["--mem"],
  logDirectory: undefined,
  shebang: "#!/usr/bin/env bash",
  walltime: 3600,
  queue: "q",
  account: undefined,
  env: { OMP_NUM_THREADS: "1", WEIRD: "a b'c" },
  backendOptions: {},
};

const format = {
  directivePrefix: "#FAKE",
  header: (s: JobSpec, c: { jobName: string; outputDirectory?: string | undefined }) => [
    `#FAKE -J ${c.jobName}`,
    `#FAKE --mem=${s.memory}`,
    `#FAKE -q ${s.queue}`,
    ...(c.outputDirectory ? [`#FAKE -o ${c.outputDirectory}/out`] : []),
  ],
};
const backend = { name: "fake", capabilities: { arrays: true }, arrayIndex: { variable: "FAKE_TASK_ID", first: 0 }, script: format } as unknown as Backend;
const one = (name: string, s: JobSpec = spec) => workerLaunch(s, "tcp://10.0.0.1:8786", { kind: "fixed", name });

describe("job script", () => {
  it("has shebang, header (skip + extra), env, prologue, worker command and epilogue, in order", () => {
    expect(renderJobScript(backend, spec, one("daskq-ab12-0"), "/out dir")).toBe(
      [
        "#!/usr/bin/env bash",
        "",
        "#FAKE -J dask-worker",
        "#FAKE -q q",
        "#FAKE -o /out dir/out",
        "#FAKE --exclusive",
        "",
        "export OMP_NUM_THREADS=1",
        "export WEIRD='a b'\\''c'",
        "module load python",
        renderSchedulerCheck("/opt/conda env/bin/python", "tcp://10.0.0.1:8786"),
        "'/opt/conda env/bin/python' -m distributed.cli.dask_worker tcp://10.0.0.1:8786 --name daskq-ab12-0 " +
          "--nthreads 2 --memory-limit 4000000000 --nworkers 2 --nanny --death-timeout 60 --local-directory \"$TMPDIR\" " +
          "--interface ib0 --resources GPU=1 --lifetime 55m",
        "echo done",
        "",
      ].join("\n"),
    );
  });

  it("names array tasks from the backend's index variable", () => {
    const single = { ...spec, processes: 1 };
    const script = renderJobScript(backend, single, workerLaunch(single, "tcp://h:1", { kind: "array", base: "daskq-ab12-3" }), undefined);
    expect(script).toContain(`--name daskq-ab12-3-"\${FAKE_TASK_ID}" --nthreads 4`);
    expect(script).not.toContain("#FAKE -o");
    const noArrays = { ...backend, arrayIndex: undefined } as unknown as Backend;
    expect(() => renderJobScript(noArrays, single, workerLaunch(single, "tcp://h:1", { kind: "array", base: "b" }), undefined)).toThrow(/does not support job arrays/);
  });

  it("renders the shell command from the argv that non-script backends run, with --name in its place", () => {
    const worker = one("w-1");
    expect(worker.argv).not.toContain("--name");
    expect(workerArgv(worker, "w-1")).toEqual([
      "/opt/conda env/bin/python", "-m", "distributed.cli.dask_worker", "tcp://10.0.0.1:8786", "--name", "w-1",
      "--nthreads", "2", "--memory-limit", "4000000000", "--nworkers", "2", "--nanny", "--death-timeout", "60",
      "--local-directory", "$TMPDIR", "--interface", "ib0", "--resources", "GPU=1", "--lifetime", "55m",
    ]);
    expect(worker.expandOnNode.map((i) => worker.argv[i])).toEqual(["$TMPDIR"]);
    expect(worker.env).toEqual(spec.env);
    expect(worker.prologue).toEqual(spec.prologue);
    // A backend without a script format gets a script without header (what `jobScript()` shows).
    const plain = renderJobScript({ name: "http" }, spec, worker, "/o");
    expect(plain.split("\n").slice(0, 3)).toEqual(["#!/usr/bin/env bash", "", "export OMP_NUM_THREADS=1"]);
  });

  it("never lets a value break out of its shell word", () => {
    for (const nasty of ["$(rm -rf /)", "`id`", "a;b", "x' ; touch /tmp/p; '", "new\nline", ""]) {
      const quoted = shellQuote(nasty);
      expect(quoted.startsWith("'") && quoted.endsWith("'")).toBe(true);
    }
    expect(shellQuote("plain-word_1.2:3/4")).toBe("plain-word_1.2:3/4");
    // Variables expand where a path may use them; nothing else does.
    expect(shellQuoteExpandingVariables("$TMPDIR/dask")).toBe('"$TMPDIR/dask"');
    expect(shellQuoteExpandingVariables("${SCRATCH}/a b")).toBe('"${SCRATCH}/a b"');
    expect(shellQuoteExpandingVariables("$(id)")).toBe("'$(id)'");
    expect(shellQuoteExpandingVariables("$TMPDIR`id`")).toBe("'$TMPDIR`id`'");
    expect(shellQuoteExpandingVariables('$HOME"; id; "')).toBe(`'$HOME"; id; "'`);
    expect(shellQuoteExpandingVariables("/scratch")).toBe("/scratch");
  });

  it("refuses header lines with line breaks and bad env names instead of rendering a malformed script", () => {
    const broken = { ...backend, script: { ...format, header: () => ["#FAKE -q a\n#FAKE --evil"] } } as unknown as Backend;
    expect(() => renderJobScript(broken, spec, one("j"), undefined)).toThrow(DaskqError);
    expect(() => one("j", { ...spec, env: { "BAD NAME": "1" } })).toThrow(/invalid environment variable name/);
  });
});

describe("naming and job states", () => {
  it("maps every worker name back to its job, with Dask's -i suffix for several processes", () => {
    const naming = new JobNaming("daskq-ab12");
    const names = new Set([naming.next(), naming.next(), JobNaming.arrayTask("daskq-ab12-2", 5)]);
    expect([...names]).toEqual(["daskq-ab12-0", "daskq-ab12-1", "daskq-ab12-2-5"]);
    expect(JobNaming.jobOfWorker("daskq-ab12-1", 1, names)).toBe("daskq-ab12-1");
    expect(JobNaming.jobOfWorker("daskq-ab12-1-3", 4, names)).toBe("daskq-ab12-1");
    expect(JobNaming.jobOfWorker("daskq-ab12-2-5-0", 2, names)).toBe("daskq-ab12-2-5");
    expect(JobNaming.jobOfWorker("someone-else", 2, names)).toBeUndefined();
  });

  it("moves forward only, and terminal states are sticky", () => {
    expect(nextJobState("queued", "running")).toBe("running");
    expect(nextJobState("running", "queued")).toBe("running");
    expect(nextJobState("running", "failed")).toBe("failed");
    expect(nextJobState("failed", "running")).toBe("failed");
    expect(nextJobState("cancelled", "finished")).toBe("cancelled");
    expect(nextJobState("queued", "lost")).toBe("lost");
  });
});
