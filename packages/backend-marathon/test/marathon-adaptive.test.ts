/**
 * Dask's "Adaptive deployments" example, for Marathon: a third party implements the Adaptive
 * contract with a Marathon app directly (no JobQueueCluster). The program between the markers is
 * the one in this package's README; it runs here against the Marathon EMULATOR with a real
 * scheduler, real workers (Marathon tasks) and a real client.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Adaptive, SchedulerConnection, SchedulerProcess, type AdaptiveOptions, type ScaleDecision } from "@daskq/core";
import { eventually, hasDaskPython, PYTHON, requireService, runPython, startMarathonEmulator, type MarathonEmulator } from "@daskq/testing";
import { MarathonClient } from "../src/index.js";

// --- the ~30 lines of the README ---------------------------------------------------------------
/** Dask workers as the tasks of one Marathon app; Dask decides when, Marathon does the work. */
class MarathonAdaptive extends Adaptive {
  private instances = 0;
  constructor(scheduler: SchedulerConnection, private readonly marathon: MarathonClient, private readonly appId: string, options: AdaptiveOptions) {
    super(scheduler, options);
  }
  /** Creates the app with no instances; each task runs one worker named after itself. */
  async deploy(python: string, schedulerAddress: string): Promise<void> {
    const cmd = `exec ${python} -m distributed.cli.dask_worker ${schedulerAddress} --name "$MESOS_TASK_ID" --worker-port "$PORT_WORKER" --no-nanny --nthreads 1`;
    const app = await this.marathon.createApp({
      id: this.appId, cmd, instances: 0, cpus: 1, mem: 512, env: {}, labels: {}, constraints: [],
      portDefinitions: [{ port: 0, protocol: "tcp", name: "worker" }],
    });
    await this.marathon.waitForDeployments((app.deployments ?? []).map((d) => d.id));
  }
  /** Workers asked for, arrived or not. */
  protected planned(): number {
    return this.instances;
  }
  /** Grow to n workers: ONE `PUT /v2/apps/{id}` with the new instance count. */
  async scaleUp(n: number): Promise<void> {
    await this.marathon.scaleApp(this.appId, n);
    this.instances = n;
  }
  /** Adaptive retired these workers; their names are task ids: kill exactly them, with scale=true. */
  async scaleDown(workers: readonly string[]): Promise<void> {
    await this.marathon.killTasksAndScale(workers);
    this.instances -= workers.length;
    // A retired worker may have exited (and been relaunched) before the kill: set the count too.
    await this.marathon.scaleApp(this.appId, this.instances);
  }
}
// -------------------------------------------------------------------------------------------------

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

describe.runIf(available)("the README's Marathon Adaptive, against the emulator with a real scheduler", () => {
  let marathon: MarathonEmulator;
  let scheduler: SchedulerProcess;
  let connection: SchedulerConnection;

  beforeAll(async () => {
    marathon = await startMarathonEmulator({ stagingMs: 100 });
    scheduler = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
    connection = new SchedulerConnection(scheduler.address);
  });
  afterAll(async () => {
    await marathon?.close();
    connection?.close();
    await scheduler?.stop();
  });

  it("is the program the README shows", () => {
    const marker = /\/\/ --- the ~30 lines of the README -+\n([\s\S]*?)\n\/\/ -{20,}/;
    const program = marker.exec(readFileSync(new URL(import.meta.url), "utf8"))?.[1];
    expect(program?.split("\n").length).toBeLessThanOrEqual(40);
    expect(readFileSync(new URL("../README.md", import.meta.url), "utf8")).toContain(program);
  });

  it("grows the app under load with PUTs of instances, then shrinks it by killing exactly the retired workers' tasks", async () => {
    const decisions: ScaleDecision[] = [];
    const adaptive = new MarathonAdaptive(connection, new MarathonClient({ url: marathon.url }), "/dask/adaptive", {
      minimum: 1,
      maximum: 3,
      interval: 300,
      waitCount: 2,
      onDecision: (d) => decisions.push(d),
    });
    await adaptive.deploy(PYTHON, scheduler.address);
    const app = () => marathon.app("/dask/adaptive");
    adaptive.start();
    try {
      expect(await eventually(() => app()?.definition.instances === 1, 20_000)).toBe(true);
      const load = runPython(
        [
          "import sys, time; from distributed import Client",
          "c = Client(sys.argv[1], timeout=30)",
          "futures = c.map(lambda i: time.sleep(1) or i, range(40))",
          "print('sum', sum(c.gather(futures)))",
        ].join("\n"),
        [scheduler.address],
      );
      expect(await eventually(() => app()?.definition.instances === 3, 60_000)).toBe(true);
      expect((await load).stdout).toContain("sum 780");
      expect(await eventually(() => app()?.definition.instances === 1 && app()?.tasks.size === 1, 60_000)).toBe(true);
    } finally {
      await adaptive.stop();
    }
    const writes = marathon.requests.filter((r) => r.method !== "GET");
    expect(writes.filter((r) => r.method === "PUT").every((r) => Object.keys(r.body as object).join() === "instances")).toBe(true);
    // A kill that meets a deployment still locking the app (409) waits for it and is sent again:
    // count the kills Marathon accepted.
    const kills = writes.filter((r) => r.path === "/v2/tasks/delete" && r.status === 200);
    expect(writes.filter((r) => r.path === "/v2/tasks/delete" && r.status !== 200).every((r) => r.status === 409)).toBe(true);
    expect(kills.length).toBeGreaterThan(0);
    expect(kills.every((r) => r.query.get("scale") === "true")).toBe(true);
    const removed = decisions.filter((d) => d.action === "down").flatMap((d) => d.removing);
    expect(kills.flatMap((r) => (r.body as { ids: string[] }).ids).sort()).toEqual([...removed].sort());
    expect(decisions.some((d) => d.action === "up")).toBe(true);
  }, 240_000);
});
