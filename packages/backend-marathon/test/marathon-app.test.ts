import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { resolveJobSpec, loadBackendConfig, workerLaunch, type WorkerLaunch } from "@daskq/core";
import { eventually } from "@daskq/testing";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { marathonAppDefinition, marathonAppId, marathonBackend, readMarathonOptions, workerTaskCommand } from "../src/index.js";

const worker = (argv: string[], more: Partial<Pick<WorkerLaunch, "expandOnNode" | "env" | "prologue" | "epilogue">> = {}): WorkerLaunch => ({
  argv, schedulerAddress: "tcp://10.0.0.1:8786", expandOnNode: [], env: {}, naming: { kind: "fixed", name: "x" }, prologue: [], epilogue: [], ...more,
});
const spec = (job: Record<string, unknown> = {}) =>
  resolveJobSpec(loadBackendConfig(marathonBackend, { job: { cores: 2, memory: "1GB", url: "http://m:8080", ...job }, env: {} }), { python: "/usr/bin/python3" });

describe("the app of a cluster", () => {
  it("runs ONE worker named after its task (--name after the scheduler address, as core places it), on Marathon's ports; every config value is quoted", () => {
    const launch = workerLaunch(
      spec({ python: "/opt/py thon/bin/python3", "local-directory": "$TMPDIR/dask", "worker-extra-args": ["--x", "a;rm -rf ~"] }),
      "tcp://10.0.0.1:8786",
      { kind: "fixed", name: "unused" },
    );
    expect(workerTaskCommand(launch, true)).toBe(
      `exec '/opt/py thon/bin/python3' -m distributed.cli.dask_worker tcp://10.0.0.1:8786 --name "$MESOS_TASK_ID" --nthreads 2 --memory-limit 1000000000 --nanny --death-timeout 60 --local-directory "$TMPDIR/dask" --x 'a;rm -rf ~' --worker-port "$PORT_WORKER" --nanny-port "$PORT_NANNY"`,
    );
    const wrapped = workerTaskCommand({ ...launch, argv: ["python3", "-m", "distributed.cli.dask_worker", "tcp://h:1"], expandOnNode: [], prologue: ["module load py"], epilogue: ["echo done"] }, false);
    expect(wrapped).toBe(`module load py\npython3 -m distributed.cli.dask_worker tcp://h:1 --name "$MESOS_TASK_ID" --worker-port "$PORT_WORKER"\necho done`);
  });

  describe("with TLS, run by /bin/sh as Marathon runs cmd", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "daskq-marathon-cmd-"));
      await mkdir(join(dir, "tmp"));
      // A stand-in for python: records its argv, the modes and contents of the TLS files it is given, then runs $FAKE_PYTHON_THEN.
      const fake = [
        "#!/bin/sh",
        'printf "%s\\n" "$@" > "$OUT/argv"',
        'while [ $# -gt 0 ]; do case $1 in --tls-ca-file|--tls-cert|--tls-key) stat -c %a "$2" >> "$OUT/modes"; cat "$2" >> "$OUT/pems"; shift;; esac; shift; done',
        'exec /bin/sh -c "$FAKE_PYTHON_THEN"',
      ].join("\n");
      await writeFile(join(dir, "python"), fake, { mode: 0o755 });
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const pem = { ca: "-----CA-----\n", cert: "-----CERT 'quoted' $HOME-----", key: "-----KEY-----" };
    const taskCommand = () =>
      workerTaskCommand(workerLaunch(spec({ python: join(dir, "python"), nanny: false }), "tls://10.0.0.1:8786", { kind: "fixed", name: "unused" }, pem), false);
    const taskEnv = (then: string) => ({ PATH: process.env["PATH"] ?? "", TMPDIR: join(dir, "tmp"), OUT: dir, MESOS_TASK_ID: "daskq_c1.abc", PORT_WORKER: "31000", FAKE_PYTHON_THEN: then });
    const argOf = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1] as string;

    it("gives the worker the cluster's PEM files, private to it, and removes them when the worker ends", async () => {
      const cmd = taskCommand();
      expect(cmd).not.toMatch(/^exec /m);
      const result = await execa("/bin/sh", ["-c", cmd], { env: taskEnv("exit 0"), extendEnv: false, reject: false });
      expect(result.exitCode).toBe(0);
      const argv = (await readFile(join(dir, "argv"), "utf8")).trimEnd().split("\n");
      expect(argv.slice(0, 5)).toEqual(["-m", "distributed.cli.dask_worker", "tls://10.0.0.1:8786", "--name", "daskq_c1.abc"]);
      expect(argOf(argv, "--worker-port")).toBe("31000");
      const files = ["--tls-ca-file", "--tls-cert", "--tls-key"].map((flag) => argOf(argv, flag));
      expect(files.map((f) => basename(f))).toEqual(["ca.pem", "cert.pem", "key.pem"]);
      expect(dirname(files[0] as string).startsWith(join(dir, "tmp", "daskq-tls."))).toBe(true);
      expect(await readFile(join(dir, "pems"), "utf8")).toBe(`${pem.ca}${pem.cert}\n${pem.key}\n`);
      expect((await readFile(join(dir, "modes"), "utf8")).trim().split("\n")).toEqual(["600", "600", "600"]);
      expect(await readdir(join(dir, "tmp"))).toEqual([]);
    });

    it("removes them also when Marathon kills the task (SIGTERM to its process group)", async () => {
      const task = execa("/bin/sh", ["-c", taskCommand()], { env: taskEnv("trap 'exit 0' TERM; while :; do sleep 0.1; done"), extendEnv: false, reject: false, detached: true });
      // The worker runs (its argv is written): the files are there.
      expect(await eventually(async () => (await readdir(dir)).includes("argv"), 30_000)).toBe(true);
      expect((await readdir(join(dir, "tmp"))).length).toBe(1);
      process.kill(-(task.pid as number), "SIGTERM");
      const result = await task;
      expect(result.exitCode).toBe(143);
      expect(await readdir(join(dir, "tmp"))).toEqual([]);
    });
  });

  it("takes cpus and mem (MiB, rounded up) from the job, container, constraints and labels from jobqueue.marathon", () => {
    const options = readMarathonOptions({ url: "http://m:8080", image: "ghcr.io/dask/dask:2024.1.0", constraints: ["hostname:UNIQUE", "rack:LIKE:r[1-3]"], labels: { team: "a" } });
    const app = marathonAppDefinition("/daskq/c1", spec({ processes: 1 }), worker(["python3"], { env: { A: "1" } }), options, "c1");
    expect(app).toMatchObject({
      id: "/daskq/c1",
      instances: 0,
      cpus: 2,
      mem: 954,
      env: { A: "1" },
      labels: { team: "a", DASKQ_CLUSTER: "c1" },
      constraints: [["hostname", "UNIQUE"], ["rack", "LIKE", "r[1-3]"]],
      container: { type: "DOCKER", docker: { image: "ghcr.io/dask/dask:2024.1.0" } },
      portDefinitions: [{ port: 0, protocol: "tcp", name: "worker" }, { port: 0, protocol: "tcp", name: "nanny" }],
      // Mesos' command executor gives 3 s by default: too short for a closing worker and its TLS cleanup.
      taskKillGracePeriodSeconds: 30,
    });
    expect(marathonAppDefinition("/daskq/c1", spec({ processes: 1 }), worker(["python3"]), readMarathonOptions({ url: "http://m", "task-kill-grace-period": 5 }), "c1").taskKillGracePeriodSeconds).toBe(5);
    expect(() => marathonAppDefinition("/daskq/c1", spec({ processes: 2 }), worker(["python3"]), options, "c1")).toThrow(
      "[daskq:config] jobqueue.marathon.processes: expected 1 (each Marathon task runs one Dask worker; ask for more workers instead), got 2",
    );
  });

  it("rejects bad settings naming the key", () => {
    expect(() => readMarathonOptions({ url: "marathon:8080" })).toThrow(/jobqueue\.marathon\.url: expected Marathon's URL/);
    expect(() => readMarathonOptions({ url: "http://m", username: "u" })).toThrow(/jobqueue\.marathon\.password: expected both username and password/);
    expect(() => readMarathonOptions({ url: "http://m", token: "t", username: "u", password: "p" })).toThrow(/jobqueue\.marathon\.token: expected either token or username/);
    expect(() => readMarathonOptions({ url: "http://m", constraints: ["hostname:NEAR"] })).toThrow(/jobqueue\.marathon\.constraints\[0\]: expected field:OPERATOR/);
    expect(() => readMarathonOptions({ url: "http://m", "container-type": "RKT" })).toThrow(/jobqueue\.marathon\.container-type: expected DOCKER or MESOS/);
    expect(() => readMarathonOptions({ url: "http://m", "task-kill-grace-period": -1 })).toThrow(/jobqueue\.marathon\.task-kill-grace-period: expected a whole number of seconds >= 0, got -1/);
    expect(() => marathonAppId(readMarathonOptions({ url: "http://m", "app-id-prefix": "/Team_A/" }), "c1")).toThrow(/jobqueue\.marathon\.app-id-prefix/);
    expect(marathonAppId(readMarathonOptions({ url: "http://m", "app-id-prefix": "/team-a/dask-" }), "daskq-3f9a")).toBe("/team-a/dask-daskq-3f9a");
  });
});
