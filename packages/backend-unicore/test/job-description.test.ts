import { describe, expect, it } from "vitest";
import { completeDescription, readBaseDescription, readUnicoreOptions, requireUrl, shellWords, withPrecommand } from "../src/index.js";

const parts = {
  command: ["/opt/py env/bin/python", "-m", "distributed.cli.dask_worker"],
  arguments: shellWords(["tcp://10.0.0.1:8786", "--nthreads", "4", "--memory-limit", "4000000000", "--name", "w-1"]),
  environment: { A: "plain", B: "$(touch /tmp/x) `id` \"q\" \\" },
  resources: { Queue: "batch", Project: "proj", Nodes: "1" },
  tags: ["daskq-ab12"],
  name: "w-1",
};

describe("UNICORE job descriptions: daskq adds only what is missing (as pyunicore's UNICORECluster)", () => {
  it("fills an empty base: Executable and Arguments shell-quoted (UNICORE joins them into a shell line), env escaped for K=\"V\", held for start", () => {
    const d = completeDescription({}, parts);
    expect(d.Executable).toBe("'/opt/py env/bin/python' -m distributed.cli.dask_worker");
    expect(d.Arguments).toEqual(["tcp://10.0.0.1:8786", "--nthreads", "4", "--memory-limit", "4000000000", "--name", "w-1"]);
    expect(d.Environment).toEqual({ A: "plain", B: '\\$(touch /tmp/x) \\`id\\` \\"q\\" \\\\' });
    expect(d.Resources).toEqual({ Queue: "batch", Project: "proj", Nodes: "1" });
    expect(d.Tags).toEqual(["daskq-ab12"]);
    expect(d.haveClientStageIn).toBe("true");
  });

  it("keeps the user's Executable, arguments, environment, resources and tags; adds the rest", () => {
    const base = {
      Executable: "srun --tasks=1 conda run -n dask dask-worker",
      Arguments: ["--nthreads", "128"],
      Environment: ["A=mine"],
      Resources: { Queue: "gpu", Runtime: "2h" },
      Tags: ["dask", "testing"],
    };
    const d = completeDescription(base, parts);
    expect(d.Executable).toBe(base.Executable);
    expect(d.Arguments).toEqual(["--nthreads", "128", "tcp://10.0.0.1:8786", "--memory-limit", "4000000000", "--name", "w-1"]);
    expect(d.Environment).toMatchObject({ A: "mine" });
    expect(d.Resources).toEqual({ Queue: "gpu", Runtime: "2h", Project: "proj", Nodes: "1" });
    expect(d.Tags).toEqual(["dask", "testing", "daskq-ab12"]);
    expect(base.Arguments).toEqual(["--nthreads", "128"]);
  });

  it("quotes daskq's words for UNICORE's shell line; words that may use the node's variables keep plain $VAR expandable", () => {
    expect(shellWords(["a b", "it's", "$(id)", "$TMPDIR/dask"], [3])).toEqual(["'a b'", "'it'\\''s'", "'$(id)'", '"$TMPDIR/dask"']);
  });

  it("an ApplicationName in the base (pyunicore's default 'dask-worker') stands for the executable", () => {
    expect(completeDescription({ ApplicationName: "dask-worker" }, parts).Executable).toBeUndefined();
  });

  it("refuses environment names that are not shell names, and malformed base descriptions, naming the key", () => {
    expect(() => completeDescription({}, { ...parts, environment: { "A;rm": "x" } })).toThrow(/\[daskq:unicore\] invalid environment variable name in env: "A;rm"/);
    expect(() => readBaseDescription("{not json", "worker-job-description")).toThrow(/jobqueue.unicore.worker-job-description: expected a job description/);
    expect(() => readBaseDescription({ Arguments: "--x" }, "worker-job-description")).toThrow(/jobqueue.unicore.worker-job-description.Arguments: Arguments must be a list/);
    expect(readBaseDescription('{"Executable": "x"}', "scheduler-job-description")).toEqual({ Executable: "x" });
  });

  it("reads the options: url required, ports checked, allocation must be ALLOCATE", () => {
    expect(() => requireUrl(readUnicoreOptions({}))).toThrow(/\[daskq:config\] jobqueue.unicore.url: the UNICORE base URL is not set/);
    expect(readUnicoreOptions({ url: "https://gw:8080/S/rest/core" }).localPort).toBe(0);
    expect(() => readUnicoreOptions({ url: "https://gw/x", "local-port": 70000 })).toThrow(/jobqueue.unicore.local-port: expected a port/);
    expect(() => readUnicoreOptions({ url: "https://gw/x", allocation: { "Job type": "BATCH" } })).toThrow(/"Job type" must be ALLOCATE/);
    expect(readUnicoreOptions({ url: "https://gw/x", allocation: { Resources: { Nodes: "3" } } }).allocation).toEqual({ Resources: { Nodes: "3" }, "Job type": "ALLOCATE" });
  });

  it("TLS setup goes first in a User precommand run on the compute node; a user's precommand on the login node is a clear error with TLS", () => {
    const tls = ["daskq_tls=$(mktemp -d)", "write pem"];
    expect(withPrecommand({}, { tls, prologue: ["module load dask"] }, "worker-job-description")).toEqual({
      "User precommand": "daskq_tls=$(mktemp -d)\nwrite pem\nmodule load dask",
      RunUserPrecommandOnLoginNode: false,
    });
    // The user's own precommand (on the compute node) is kept, after daskq's TLS lines; the prologue is not added.
    expect(withPrecommand({ "User precommand": "source env.sh", RunUserPrecommandOnLoginNode: false }, { tls, prologue: ["p"] }, "worker-job-description")["User precommand"]).toBe(
      "daskq_tls=$(mktemp -d)\nwrite pem\nsource env.sh",
    );
    // Without TLS a user's precommand stays exactly as written (login node or not).
    expect(withPrecommand({ "User precommand": "source env.sh" }, { tls: [], prologue: ["p"] }, "worker-job-description")).toEqual({ "User precommand": "source env.sh" });
    expect(withPrecommand({}, { tls: [], prologue: [] }, "worker-job-description")).toEqual({});
    expect(() => withPrecommand({ "User precommand": "source env.sh" }, { tls, prologue: [] }, "scheduler-job-description")).toThrow(
      /\[daskq:config\] jobqueue.unicore.scheduler-job-description: its User precommand runs on the login node .* set RunUserPrecommandOnLoginNode: false, or turn TLS off \(--no-tls\)/,
    );
  });
});
