import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, UnicoreEmulator } from "@daskq/testing";
import { readUnicoreOptions, UnicoreBackend, UnicoreClient, UnicoreCredentials } from "../src/index.js";

// The backend's own operations against the UNICORE EMULATOR, request by request; the jobs are
// plain UNICORE jobs carrying the cluster's tag, as the backend submits them.
describe("UNICORE backend operations (UNICORE emulator)", () => {
  const clusterId = "daskq-0a1b2c3d";
  let emulator: UnicoreEmulator;
  let client: UnicoreClient;
  let backend: UnicoreBackend;
  const ids: Record<"running" | "failing" | "otherCluster", string> = { running: "", failing: "", otherCluster: "" };
  const idOf = (url: string) => url.split("/").pop() as string;

  beforeAll(async () => {
    emulator = await UnicoreEmulator.start({ queueDelayMs: 100 });
    client = new UnicoreClient({ baseUrl: emulator.baseUrl, credentials: UnicoreCredentials.basic("demouser", "test123", "config") });
    backend = new UnicoreBackend(readUnicoreOptions({ url: emulator.baseUrl, username: "demouser", password: "test123" }), clusterId);
    ids.running = idOf(await client.submit({ Executable: "sleep 120", Tags: [clusterId] }));
    ids.failing = idOf(await client.submit({ Executable: "echo 'worker log line'; echo 'boom: cannot start' >&2; exit 3", Tags: [clusterId] }));
    ids.otherCluster = idOf(await client.submit({ Executable: "sleep 120", Tags: ["daskq-ffffffff"] }));
    const status = async (id: string) => (await client.job(`${emulator.baseUrl}/jobs/${id}`, ["status"])).status;
    expect(await eventually(async () => (await status(ids.running)) === "RUNNING" && (await status(ids.failing)) === "FAILED" && (await status(ids.otherCluster)) === "RUNNING", 20_000, 100)).toBe(true);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("status: ONE jobs-list request per poll, filtered by the cluster's tag; a small read per live job only, never another cluster's", async () => {
    emulator.requests.length = 0;
    const first = await backend.status([ids.running, ids.failing, "no-such-job"]);
    expect(first.get(ids.running)?.state).toBe("running");
    expect(first.get(ids.failing)?.state).toBe("failed");
    expect(first.has("no-such-job")).toBe(false);
    const lists = (from: number) => emulator.requests.slice(from).filter((r) => r.method === "GET" && r.path === "/jobs");
    const reads = (from: number) => emulator.requests.slice(from).filter((r) => r.method === "GET" && r.path.startsWith("/jobs/")).map((r) => r.path);
    // The first call also checks the credentials (GET {base}) once.
    // num: one page for all of them (UNICORE pages the list, PagingHelper).
    expect(lists(0).map((r) => r.query)).toEqual([`?tags=${clusterId}&num=100000`]);
    expect(reads(0).sort()).toEqual([`/jobs/${ids.failing}`, `/jobs/${ids.running}`].sort());
    const mark = emulator.requests.length;
    const second = await backend.status([ids.running, ids.failing]);
    expect(second.get(ids.failing)?.state).toBe("failed");
    // A finished job is not read again.
    expect(lists(mark)).toHaveLength(1);
    expect(reads(mark)).toEqual([`/jobs/${ids.running}`]);
    expect(emulator.requests.slice(mark).every((r) => !r.path.includes(ids.otherCluster))).toBe(true);
  });

  it("a failed job's log tail comes from its working directory (stdout and stderr)", async () => {
    const tail = await backend.logTail(ids.failing, 10);
    expect(tail).toContain("boom: cannot start");
    expect(tail).toContain("worker log line");
    expect(await backend.logTail("no-such-job", 10)).toBeUndefined();
  });

  it("cancel is action:abort (harmless for a finished job); close() aborts every job carrying the cluster's tag and no other", async () => {
    await backend.cancel([ids.failing, "no-such-job"]);
    const extra = idOf(await client.submit({ Executable: "sleep 120", Tags: [clusterId] }));
    expect(await eventually(async () => (await client.job(`${emulator.baseUrl}/jobs/${extra}`, ["status"])).status === "RUNNING", 20_000, 100)).toBe(true);
    emulator.requests.length = 0;
    await backend.close();
    const aborts = emulator.requests.filter((r) => r.method === "POST" && r.path.endsWith("/actions/abort")).map((r) => r.path);
    expect(aborts.sort()).toEqual([`/jobs/${extra}/actions/abort`, `/jobs/${ids.running}/actions/abort`].sort());
    const after = new Map(emulator.listJobs().map((j) => [j.id, j.status]));
    expect(await eventually(() => new Map(emulator.listJobs().map((j) => [j.id, j.status])).get(ids.running) === "FAILED", 10_000, 100)).toBe(true);
    expect(after.get(ids.otherCluster)).toBe("RUNNING");
    await client.action(`${emulator.baseUrl}/jobs/${ids.otherCluster}`, "abort");
  });
});
