import { resolveJobSpec, loadBackendConfig, type WorkerLaunch } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { marathonAppDefinition, marathonAppId, marathonBackend, readMarathonOptions, workerTaskCommand } from "../src/index.js";

const worker = (argv: string[], more: Partial<Pick<WorkerLaunch, "expandOnNode" | "env" | "prologue" | "epilogue">> = {}): WorkerLaunch => ({
  argv, schedulerAddress: "tcp://10.0.0.1:8786", expandOnNode: [], env: {}, naming: { kind: "fixed", name: "x" }, prologue: [], epilogue: [], ...more,
});
const spec = (job: Record<string, unknown> = {}) =>
  resolveJobSpec(loadBackendConfig(marathonBackend, { job: { cores: 2, memory: "1GB", url: "http://m:8080", ...job }, env: {} }), { python: "/usr/bin/python3" });

describe("the app of a cluster", () => {
  it("runs ONE worker named after its task, on Marathon's ports; every config value is quoted", () => {
    const cmd = workerTaskCommand(worker(["/opt/py thon/bin/python3", "-m", "distributed.cli.dask_worker", "tcp://10.0.0.1:8786", "--local-directory", "$TMPDIR/dask", "--x", "a;rm -rf ~"], { expandOnNode: [5] }), true);
    expect(cmd).toBe(
      `exec '/opt/py thon/bin/python3' -m distributed.cli.dask_worker tcp://10.0.0.1:8786 --local-directory "$TMPDIR/dask" --x 'a;rm -rf ~' --name "$MESOS_TASK_ID" --worker-port "$PORT_WORKER" --nanny-port "$PORT_NANNY"`,
    );
    const wrapped = workerTaskCommand(worker(["python3"], { prologue: ["module load py"], epilogue: ["echo done"] }), false);
    expect(wrapped).toBe(`module load py\npython3 --name "$MESOS_TASK_ID" --worker-port "$PORT_WORKER"\necho done`);
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
    });
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
    expect(() => marathonAppId(readMarathonOptions({ url: "http://m", "app-id-prefix": "/Team_A/" }), "c1")).toThrow(/jobqueue\.marathon\.app-id-prefix/);
    expect(marathonAppId(readMarathonOptions({ url: "http://m", "app-id-prefix": "/team-a/dask-" }), "daskq-3f9a")).toBe("/team-a/dask-daskq-3f9a");
  });
});
