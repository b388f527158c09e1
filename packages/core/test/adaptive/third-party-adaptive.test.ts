/**
 * The contract as a third party sees it: an Adaptive for a made-up system ("ToyCloud") whose
 * instances are real Dask worker processes. This is the example from packages/core/README.md.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, hasDaskPython, PYTHON, requireService, runPython, startDaskWorker, type TestWorker } from "@daskq/testing";
import { Adaptive, SchedulerConnection, SchedulerProcess, type ScaleDecision } from "../../src/index.js";

/** A made-up system: instances are named workers we can start and kill. */
class ToyCloud {
  readonly instances = new Map<string, TestWorker>();
  private next = 0;
  constructor(private readonly address: string) {}
  setInstances(n: number): void {
    while (this.instances.size < n) {
      const name = `toy-${this.next++}`;
      this.instances.set(name, startDaskWorker(this.address, name));
    }
  }
  async kill(name: string): Promise<void> {
    await this.instances.get(name)?.kill();
    this.instances.delete(name);
  }
}

// --- the ~30 lines a third party writes ------------------------------------------------------
class ToyAdaptive extends Adaptive {
  constructor(scheduler: SchedulerConnection, private readonly cloud: ToyCloud, onDecision?: (d: ScaleDecision) => void) {
    super(scheduler, { minimum: 1, maximum: 3, interval: 300, waitCount: 2, onDecision });
  }
  /** Workers asked for, arrived or not. */
  protected planned(): number {
    return this.cloud.instances.size;
  }
  /** Grow to n workers. */
  async scaleUp(n: number): Promise<void> {
    this.cloud.setInstances(n);
  }
  /** Remove these workers; Adaptive already retired them (their data moved). */
  async scaleDown(workers: readonly string[]): Promise<void> {
    for (const name of workers) await this.cloud.kill(name);
  }
}
// ----------------------------------------------------------------------------------------------

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe.runIf(available)("a third-party Adaptive against a real scheduler", () => {
  let scheduler: SchedulerProcess;
  let connection: SchedulerConnection;
  let cloud: ToyCloud;

  beforeAll(async () => {
    scheduler = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
    connection = new SchedulerConnection(scheduler.address);
    cloud = new ToyCloud(scheduler.address);
  });

  afterAll(async () => {
    await Promise.all([...cloud.instances.keys()].map((n) => cloud.kill(n)));
    connection?.close();
    await scheduler?.stop();
  });

  it("grows under load within [minimum, maximum], then shrinks back to the minimum", async () => {
    const decisions: ScaleDecision[] = [];
    let most = 0;
    const adaptive = new ToyAdaptive(connection, cloud, (d) => {
      decisions.push(d);
      most = Math.max(most, cloud.instances.size);
    });
    adaptive.start();
    try {
      expect(await eventually(() => cloud.instances.size === 1, 10_000)).toBe(true); // the minimum
      const load = runPython(
        [
          "import sys, time; from distributed import Client",
          "c = Client(sys.argv[1], timeout=30)",
          "futures = c.map(lambda i: time.sleep(1) or i, range(40))",
          "print('sum', sum(c.gather(futures)))",
        ].join("\n"),
        [scheduler.address],
      );
      expect(await eventually(() => cloud.instances.size === 3, 30_000)).toBe(true);
      expect((await load).stdout).toContain("sum 780");
      expect(await eventually(() => cloud.instances.size === 1, 30_000)).toBe(true);
      expect(most).toBeLessThanOrEqual(3);
      expect(decisions.some((d) => d.action === "up")).toBe(true);
      expect(decisions.some((d) => d.action === "down")).toBe(true);
    } finally {
      await adaptive.stop();
    }
  });
});
