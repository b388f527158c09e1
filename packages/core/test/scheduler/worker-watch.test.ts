import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, hasDaskPython, PYTHON, requireService, startDaskWorker, type TestWorker } from "@daskq/testing";
import type { Logger } from "../../src/logger.js";
import { SchedulerConnection } from "../../src/scheduler/scheduler-connection.js";
import { SCHEDULER_PRELOAD } from "../../src/scheduler/scheduler-preload.js";
import { SchedulerProcess } from "../../src/scheduler/scheduler-process.js";
import { WorkerWatch, type WorkerCatchUp } from "../../src/scheduler/worker-watch.js";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");

/** A TCP relay to the scheduler whose connections can be cut (and new ones refused) and restored: a real dropped link. */
class CuttableRelay {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  private constructor(
    private readonly server: net.Server,
    readonly address: string,
  ) {}

  static start(target: string): Promise<CuttableRelay> {
    const [host, port] = target.replace(/^tcp:\/\//, "").split(":") as [string, string];
    return new Promise((resolve) => {
      let relay: CuttableRelay;
      const server = net.createServer((client) => {
        if (relay.cut) return void client.destroy();
        const upstream = net.connect(Number(port), host);
        for (const socket of [client, upstream]) {
          relay.sockets.add(socket);
          socket.on("error", () => {});
          socket.on("close", () => {
            relay.sockets.delete(socket);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.listen(0, "127.0.0.1", () => {
        relay = new CuttableRelay(server, `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
        resolve(relay);
      });
    });
  }

  /** Drops every connection and refuses new ones. */
  drop(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): void {
    this.drop();
    this.server.close();
  }
}

function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  return { lines, debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") };
}

/** Names of the workers a watch announced joining and leaving, in order. */
function record(watch: WorkerWatch): { joined: string[]; left: string[] } {
  const seen = { joined: [] as string[], left: [] as string[] };
  watch.on("add", (w) => seen.joined.push(w.name));
  watch.on("remove", (_address, w) => seen.left.push(w?.name ?? "?"));
  return seen;
}

const names = (watch: WorkerWatch) => [...watch.workers.values()].map((w) => w.name).sort();

describe.runIf(available)("WorkerWatch against a real distributed scheduler", () => {
  let preloaded: SchedulerProcess;
  let plain: SchedulerProcess;
  const workers: TestWorker[] = [];
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    [preloaded, plain] = await Promise.all([
      SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1", extraArgs: ["--preload", SCHEDULER_PRELOAD] }),
      SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" }),
    ]);
  });

  afterAll(async () => {
    for (const close of closers) close();
    await Promise.all(workers.map((w) => w.kill()));
    await Promise.all([preloaded?.stop(), plain?.stop()]);
  });

  const connect = (address: string) => {
    const connection = new SchedulerConnection(address, { callTimeoutMs: 20_000 });
    closers.push(() => connection.close());
    return connection;
  };
  const watch = async (connection: SchedulerConnection, name: string, options: { checkIntervalMs?: number; retryDelayMs?: number; logger?: Logger } = {}) => {
    const w = await WorkerWatch.open(connection, { name, ...options });
    closers.push(() => w.close());
    return w;
  };
  const retire = (address: string, name: string) => connect(address).retireWorkers({ names: [name] });

  it("with daskq's preload, two subscribers each get their own stream; distributed's shared one keeps only the latest", async () => {
    const connection = connect(preloaded.address);
    expect(await connection.preloadHandlers()).toContain("daskq_subscribe_worker_status");
    // No checks during the test: whatever a watch sees here came through its stream.
    const a = await watch(connection, "daskq-worker-status-a", { checkIntervalMs: 600_000 });
    const b = await watch(connection, "daskq-worker-status-b", { checkIntervalMs: 600_000 });
    expect([a.named, b.named]).toEqual([true, true]);
    const [first, second] = [await connection.subscribeWorkerStatus(), await connection.subscribeWorkerStatus()];
    closers.push(() => first.close(), () => second.close());
    expect([first.named, second.named]).toEqual([false, false]);
    const seenA = record(a);
    const seenB = record(b);
    const firstSaw: string[] = [];
    first.on("add", (w) => firstSaw.push(`+${w.name}`));
    first.on("remove", (_address, w) => firstSaw.push(`-${w?.name}`));

    workers.push(startDaskWorker(preloaded.address, "shared-w1"));
    expect(await eventually(() => a.workers.size === 1 && b.workers.size === 1 && second.workers.size === 1, 60_000)).toBe(true);
    await retire(preloaded.address, "shared-w1");
    expect(await eventually(() => a.workers.size === 0 && b.workers.size === 0 && second.workers.size === 0, 60_000)).toBe(true);
    expect(seenA).toEqual({ joined: ["shared-w1"], left: ["shared-w1"] });
    expect(seenB).toEqual({ joined: ["shared-w1"], left: ["shared-w1"] });
    // The bug daskq works around (distributed 2022.12 through 2026): the second shared subscription
    // replaced the first one's plugin, which heard neither the worker joining nor leaving.
    expect(firstSaw).toEqual([]);
  });

  it("without the preload, a subscriber whose shared subscription another took over still follows the workers by checks", async () => {
    const connection = connect(plain.address);
    expect(await connection.preloadHandlers()).toEqual([]);
    const logger = recordingLogger();
    const a = await watch(connection, "daskq-worker-status-a", { checkIntervalMs: 500, logger });
    const b = await watch(connection, "daskq-worker-status-b", { checkIntervalMs: 500 });
    expect([a.named, b.named]).toEqual([false, false]);
    const seenA = record(a);
    workers.push(startDaskWorker(plain.address, "plain-w1"));
    expect(await eventually(() => names(a).join() === "plain-w1" && names(b).join() === "plain-w1", 60_000)).toBe(true);
    await retire(plain.address, "plain-w1");
    expect(await eventually(() => a.workers.size === 0 && b.workers.size === 0, 60_000)).toBe(true);
    expect(seenA).toEqual({ joined: ["plain-w1"], left: ["plain-w1"] });
    expect(logger.lines.join("\n")).toMatch(/another subscriber .* took over distributed's shared worker-status subscription/);
  });

  it("after the stream's connection drops, subscribes again with back-off and announces the workers that joined and left meanwhile", async () => {
    const relay = await CuttableRelay.start(preloaded.address);
    closers.push(() => relay.close());
    const logger = recordingLogger();
    const w = await watch(connect(relay.address), "daskq-worker-status-drop", { checkIntervalMs: 600_000, retryDelayMs: 200, logger });
    const seen = record(w);
    workers.push(startDaskWorker(preloaded.address, "drop-w1"));
    expect(await eventually(() => names(w).join() === "drop-w1", 60_000)).toBe(true);

    relay.drop();
    // While no connection gets through, one worker joins and the other leaves.
    workers.push(startDaskWorker(preloaded.address, "drop-w2"));
    const direct = connect(preloaded.address);
    expect(await eventually(async () => (await direct.identity()).workers.some((x) => x.name === "drop-w2"), 60_000)).toBe(true);
    await retire(preloaded.address, "drop-w1");
    expect((await direct.identity()).workers.map((x) => x.name)).toEqual(["drop-w2"]);
    expect(names(w)).toEqual(["drop-w1"]);

    const back = new Promise<WorkerCatchUp & { downMs: number; attempts: number }>((resolve) => w.once("resubscribed", resolve));
    const restoredAt = Date.now();
    relay.restore();
    const details = await back;
    const afterRestoreMs = Date.now() - restoredAt;
    expect(details).toMatchObject({ added: 1, removed: 1 });
    expect(details.attempts).toBeGreaterThan(1);
    expect(names(w)).toEqual(["drop-w2"]);
    expect(seen).toEqual({ joined: ["drop-w1", "drop-w2"], left: ["drop-w1"] });
    expect(logger.lines.join("\n")).toMatch(/warn lost the worker status stream/);
    console.log(`worker-watch: stream down ${details.downMs} ms, ${details.attempts} attempts, followed again ${afterRestoreMs} ms after the link came back; caught up +${details.added} -${details.removed}`);

    // And it keeps following on the new stream.
    await retire(preloaded.address, "drop-w2");
    expect(await eventually(() => w.workers.size === 0, 60_000)).toBe(true);
    expect(seen.left).toEqual(["drop-w1", "drop-w2"]);
  });
});
