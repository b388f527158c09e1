import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFailed } from "vitest";
import { SchedulerConnection, SchedulerProcess } from "@daskq/core";
import { eventually, hasDaskPython, PYTHON, requireService } from "@daskq/testing";

const available = requireService("Debian python3-distributed", hasDaskPython(), "Run packages/testing/testbed/dask.sh.");
const fixture = fileURLToPath(new URL("./fixtures/attached-cluster.mjs", import.meta.url));

interface Said {
  readonly event: string;
  readonly [key: string]: unknown;
}

/** One daskq process (the library in its own node process) attached to the scheduler; see fixtures/attached-cluster.mjs. */
class DaskqProcess {
  readonly said: Said[] = [];
  stderr = "";
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on("line", (line) => this.said.push(JSON.parse(line) as Said));
    child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static start(address: string): DaskqProcess {
    const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home", DASKQ_HOME: mkdtempSync(join(tmpdir(), "daskq-shared-")) };
    return new DaskqProcess(spawn("node", [fixture, address, PYTHON], { env, cwd: fileURLToPath(new URL("..", import.meta.url)) }));
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  events(kind: string): Said[] {
    return this.said.filter((s) => s.event === kind);
  }

  /** The status it reports next. */
  async status(): Promise<{ counts: Record<string, number>; workers: string[]; jobs: Array<{ id: string; state: string }> }> {
    const before = this.events("status").length;
    this.send("status");
    if (!(await eventually(() => this.events("status").length > before, 30_000, 50))) throw new Error(`no status answer; stderr: ${this.stderr}`);
    return this.events("status")[before] as unknown as Awaited<ReturnType<DaskqProcess["status"]>>;
  }

  async countsAre(expected: Record<string, number>, timeoutMs = 60_000): Promise<boolean> {
    return eventually(async () => matches((await this.status()).counts, expected), timeoutMs, 300);
  }

  exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}

function matches(counts: Record<string, number>, expected: Record<string, number>): boolean {
  return Object.entries(expected).every(([key, value]) => counts[key] === value);
}

describe.runIf(available)("two daskq processes attached to one scheduler (distributed 2022.12 here, no daskq preload)", () => {
  const processes: DaskqProcess[] = [];
  let scheduler: SchedulerProcess | undefined;
  afterAll(async () => {
    for (const p of processes) p.kill();
    await scheduler?.stop();
  });

  it("each sees its own workers arrive and leave, and neither counts, announces nor retires the other's", async () => {
    scheduler = await SchedulerProcess.start({ python: PYTHON, host: "127.0.0.1" });
    const [a, b] = [DaskqProcess.start(scheduler.address), DaskqProcess.start(scheduler.address)];
    processes.push(a, b);
    onTestFailed(() => {
      for (const [i, p] of processes.entries()) console.log(`daskq process ${i}: ${p.said.filter((s) => s.event !== "status").map((s) => JSON.stringify(s)).join(" ")}\n${p.stderr}`);
    });
    expect(await eventually(() => a.events("ready").length === 1 && b.events("ready").length === 1, 60_000)).toBe(true);
    const [idA, idB] = [a.events("ready")[0]?.["clusterId"], b.events("ready")[0]?.["clusterId"]] as [string, string];

    a.send("scale 1");
    b.send("scale 1");
    expect(await eventually(() => a.events("worker-joined").length === 1 && b.events("worker-joined").length === 1, 60_000)).toBe(true);
    // Whichever subscribed last took distributed's shared worker-status subscription; the other follows by checks.
    expect(await a.countsAre({ workers: 1, otherWorkers: 1, running: 1 })).toBe(true);
    expect(await b.countsAre({ workers: 1, otherWorkers: 1, running: 1 })).toBe(true);
    const [workerA, workerB] = [(await a.status()).workers[0] as string, (await b.status()).workers[0] as string];
    expect(workerA).toContain(idA);
    expect(workerB).toContain(idB);

    // A shrinks: it retires its own worker, and B's stays.
    a.send("scale 0");
    expect(await eventually(() => a.events("worker-left").length === 1, 60_000)).toBe(true);
    expect(await b.countsAre({ workers: 1, otherWorkers: 0, running: 1 })).toBe(true);
    const connection = new SchedulerConnection(scheduler.address);
    expect((await connection.identity()).workers.map((w) => w.name)).toEqual([workerB]);

    // B grows by one more job while A is empty: A counts it as another's.
    b.send("scale 2");
    expect(await b.countsAre({ workers: 2, otherWorkers: 0 })).toBe(true);
    expect(await a.countsAre({ workers: 0, otherWorkers: 2 })).toBe(true);

    b.send("close");
    a.send("close");
    expect(await Promise.all([a.exited(), b.exited()])).toEqual([0, 0]);
    expect((await connection.identity()).workers).toEqual([]);
    connection.close();

    // Each announced only its own workers, each once joining and once leaving, and no job failed.
    const own = (p: DaskqProcess, kind: string) => p.events(kind).map((e) => e["name"] as string).sort();
    expect(own(a, "worker-joined")).toEqual([workerA]);
    expect(own(a, "worker-left")).toEqual([workerA]);
    expect(own(b, "worker-joined")).toHaveLength(2);
    expect(own(b, "worker-joined")).toContain(workerB);
    expect(own(b, "worker-joined").every((name) => name.includes(idB))).toBe(true);
    expect(own(b, "worker-left")).toEqual(own(b, "worker-joined"));
    expect([...a.events("job-failed"), ...b.events("job-failed"), ...a.events("cluster-error"), ...b.events("cluster-error")]).toEqual([]);
  }, 240_000);
});
