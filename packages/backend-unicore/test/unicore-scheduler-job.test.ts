import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeArraySum, eventually, hasDaskPython, PYTHON, requireService, runPython, UnicoreEmulator } from "@daskq/testing";
import { UnicoreClient, UnicoreCredentials, UnicoreSchedulerJob } from "../src/index.js";

const present = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

/** A Python client that computes, and on a lost connection (futures cancelled) reconnects and computes again. */
const RETRYING_CLIENT = [
  "import sys, time",
  "from distributed import Client",
  "import dask.array as da",
  "c = Client(sys.argv[1], timeout=60)",
  "print('connected', flush=True)",
  "for attempt in range(10):",
  "    try:",
  "        x = da.ones((2000, 2000), chunks=(100, 100))",
  "        print('result', int((x + x.T).sum().compute()), 'attempt', attempt, flush=True)",
  "        break",
  "    except Exception as e:",
  "        print('retry after', type(e).__name__, flush=True)",
  "        time.sleep(1)",
  "c.close()",
].join("\n");

describe.runIf(present)("the scheduler as a UNICORE job, reached through UNICORE port forwarding (UNICORE emulator)", () => {
  let emulator: UnicoreEmulator;
  let client: UnicoreClient;
  let scheduler: UnicoreSchedulerJob;

  beforeAll(async () => {
    emulator = await UnicoreEmulator.start({ queueDelayMs: 100 });
    client = new UnicoreClient({ baseUrl: emulator.baseUrl, credentials: UnicoreCredentials.basic("demouser", "test123", "config") });
    scheduler = await UnicoreSchedulerJob.start({
      client,
      clusterId: "daskq-sched-test",
      base: { Resources: { Runtime: "1h" } },
      python: PYTHON,
      resources: { Queue: "batch" },
      environment: {},
      pollIntervalMs: 300,
      dashboardPort: 0,
    });
  }, 120_000);
  afterAll(async () => {
    await scheduler?.stop();
    await emulator?.stop();
  });

  it("runs the scheduler as a job that writes dask.json; the worker job gets its address; a real client computes through the local forward", async () => {
    expect(scheduler.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(scheduler.workerAddress).not.toBe(scheduler.address);
    const [schedulerJob] = emulator.listJobs();
    expect(schedulerJob?.tags).toEqual(["daskq-sched-test", "daskq-scheduler"]);
    const worker = await client.submit({ Executable: `${PYTHON} -m distributed.cli.dask_worker`, Arguments: [scheduler.workerAddress, "--nthreads", "2", "--name", "w0"] });
    await client.action(worker, "start");
    expect(await computeArraySum(scheduler.address, 1000)).toBe(1_000_000);
    expect(scheduler.dashboardLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status$/);
  });

  it("survives killing the forward's TCP connections mid-run: the client reconnects through a reopened forward and completes", async () => {
    const before = scheduler.forwardsOpened;
    const run = runPython(RETRYING_CLIENT, [scheduler.address], 120_000);
    expect(await eventually(() => emulator.openForwards > 0, 30_000, 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(emulator.dropForwards()).toBeGreaterThan(0);
    const result = await run;
    expect(result.stdout).toMatch(/result 8000000 attempt \d/);
    expect(scheduler.forwardsOpened).toBeGreaterThan(before + 1);
  });

  it("stop() aborts the scheduler job and closes the local listener", async () => {
    const port = Number(scheduler.address.split(":").pop());
    await scheduler.stop();
    expect(await eventually(() => emulator.listJobs().every((j) => j.tags[1] !== "daskq-scheduler" || j.status === "FAILED"), 15_000)).toBe(true);
    await expect(
      new Promise((resolve, reject) => {
        const s = connect(port, "127.0.0.1", () => resolve(s.destroy()));
        s.on("error", reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
