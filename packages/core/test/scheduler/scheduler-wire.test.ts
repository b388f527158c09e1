import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, hasDaskPython, PYTHON, requireService, runPython, startDaskWorker, type TestWorker } from "@daskq/testing";
import { DaskComm } from "../../src/scheduler/dask-comm.js";
import { SchedulerConnection } from "../../src/scheduler/scheduler-connection.js";
import { SchedulerProcess } from "../../src/scheduler/scheduler-process.js";
import { SchedulerRpcError } from "../../src/errors.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe.runIf(available)("wire protocol against a real Python scheduler", () => {
  let scheduler: SchedulerProcess;
  let connection: SchedulerConnection;
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    scheduler = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
    connection = new SchedulerConnection(scheduler.address, { callTimeoutMs: 20_000 });
  });

  afterAll(async () => {
    connection?.close();
    await Promise.all(workers.map((w) => w.kill()));
    await scheduler?.stop();
  });

  it("exchanges handshakes", async () => {
    const comm = await DaskComm.connect(scheduler.address);
    await comm.write({ op: "identity", reply: true });
    const reply = (await comm.read(10_000)) as Record<string, unknown>;
    expect(reply["type"]).toBe("Scheduler");
    comm.close();
  });

  it("asks the scheduler who it is, reusing one connection", async () => {
    const first = await connection.identity();
    const second = await connection.identity();
    expect(first.address).toBe(scheduler.address);
    expect(first.id).toMatch(/^Scheduler-/);
    expect(second.id).toBe(first.id);
    expect(connection.openConnections).toBe(1);
  });

  it("surfaces an error reply as a typed error carrying exception_text", async () => {
    const error = await connection.call("identity", { no_such_argument: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchedulerRpcError);
    expect((error as SchedulerRpcError).exceptionText).toContain("no_such_argument");
    expect((error as SchedulerRpcError).message).toMatch(/^\[daskq:scheduler\] RPC 'identity' failed/);
    // The connection is still usable after an error reply.
    expect((await connection.identity()).address).toBe(scheduler.address);
  });

  it("streams worker add/remove events live, and retire_workers removes the worker", async () => {
    const stream = await connection.subscribeWorkerStatus();
    const added: string[] = [];
    const removed: string[] = [];
    stream.on("add", (w) => added.push(w.name));
    stream.on("remove", (_address, w) => removed.push(w?.name ?? "?"));

    workers.push(startDaskWorker(scheduler.address, "wire-a"), startDaskWorker(scheduler.address, "wire-b"));
    expect(await eventually(() => added.length === 2, 30_000)).toBe(true);
    expect(added.sort()).toEqual(["wire-a", "wire-b"]);

    // Give worker a some data, then retire it: the data must move to b.
    const put = await runPython(
      [
        "import sys; from distributed import Client",
        "c = Client(sys.argv[1], timeout=20)",
        "f = c.scatter(41, workers=['wire-a'])",
        "c.publish_dataset(answer=f)",
        "print('ok')",
      ].join("\n"),
      [scheduler.address],
    );
    expect(put.stdout).toContain("ok");

    const retired = await connection.retireWorkers({ names: ["wire-a"] });
    expect(retired).toHaveLength(1);
    expect(await eventually(() => removed.includes("wire-a"), 30_000)).toBe(true);
    const identity = await connection.identity();
    expect(identity.workers.map((w) => w.name)).toEqual(["wire-b"]);
    expect([...stream.workers.values()].map((w) => w.name)).toEqual(["wire-b"]);

    const get = await runPython(
      [
        "import sys; from distributed import Client",
        "c = Client(sys.argv[1], timeout=20)",
        "print('answer', c.get_dataset('answer').result() + 1)",
      ].join("\n"),
      [scheduler.address],
    );
    expect(get.stdout).toContain("answer 42");
    stream.close();
  });

  it("answers adaptive_target and workers_to_close", async () => {
    expect(Number.isInteger(await connection.adaptiveTarget(5))).toBe(true);
    const names = await connection.workersToClose({ n: 1 });
    expect(Array.isArray(names)).toBe(true);
  });

  it("reports each worker's memory and running tasks from one identity call", async () => {
    // wire-b is left from the test above; a client keeps one slow task running on it.
    const client = runPython(
      ["import sys, time; from distributed import Client", "c = Client(sys.argv[1], timeout=20)", "f = c.submit(time.sleep, 6, pure=False)", "time.sleep(6)"].join("\n"),
      [scheduler.address],
    );
    let busy: Awaited<ReturnType<SchedulerConnection["workerLoads"]>>[number] | undefined;
    expect(
      await eventually(async () => {
        busy = (await connection.workerLoads()).find((w) => w.name === "wire-b" && w.executing === 1);
        return busy !== undefined;
      }, 30_000),
    ).toBe(true);
    expect(busy?.memory).toBeGreaterThan(10_000_000);
    expect(busy?.memoryLimit).toBeGreaterThan(0);
    expect(busy?.host).toBe("127.0.0.1");
    await client;
  });
});
