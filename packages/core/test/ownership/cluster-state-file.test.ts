import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { clusterCondition, readClusterRecord } from "../../src/index.js";
import { ClusterStateFile } from "../../src/ownership/cluster-state-file.js";
import { clusterRecord } from "./cluster-record-fixture.js";
import { currentProcess, identify, isAlive } from "../../src/ownership/process-identity.js";

describe("ClusterStateFile", () => {
  it("writes the record in a private directory (0700) as a private file (0600)", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "daskq-state-")), "state");
    const file = await ClusterStateFile.create(dir, clusterRecord());
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await readClusterRecord(file.path))?.clusterId).toBe("daskq-test");
  });

  it("every update is on disk when it resolves; concurrent updates are all kept; no temporary file is left", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-state-"));
    const file = await ClusterStateFile.create(dir, clusterRecord());
    const ids = Array.from({ length: 50 }, (_, i) => String(i));
    await Promise.all(
      ids.map(async (id) => {
        await file.update((r) => ({ ...r, jobs: [...r.jobs, { id, state: "queued" }] }));
        const onDisk = await readClusterRecord(file.path);
        expect(onDisk?.jobs.some((j) => j.id === id)).toBe(true);
      }),
    );
    expect((await readClusterRecord(file.path))?.jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(await readdir(dir)).toEqual(["daskq-test.json"]);
  });

  it("a reader never sees a partial file while updates run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-state-"));
    const file = await ClusterStateFile.create(dir, clusterRecord());
    let writing = true;
    const reads = (async () => {
      let n = 0;
      while (writing) {
        JSON.parse(await readFile(file.path, "utf8"));
        n++;
      }
      return n;
    })();
    for (let i = 0; i < 200; i++) await file.update((r) => ({ ...r, jobs: [...r.jobs, { id: `job-${i}-${"x".repeat(200)}`, state: "queued" }] }));
    writing = false;
    expect(await reads).toBeGreaterThan(0);
  });

  it("remove() deletes the file and later updates do not bring it back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-state-"));
    const file = await ClusterStateFile.create(dir, clusterRecord());
    const pending = file.update((r) => ({ ...r, phase: "closing" }));
    await file.remove();
    await pending;
    await file.update((r) => ({ ...r, phase: "open" }));
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("clusterCondition", () => {
  it("live while the owner runs; dead-with-jobs or dead-cleaned after it ended; other-host for another host", async () => {
    const child = execa("true");
    const pid = child.pid as number;
    await child;
    const dead = identify(pid);
    expect(isAlive(dead)).toBe(false);
    expect(clusterCondition(clusterRecord())).toBe("live");
    expect(clusterCondition(clusterRecord({ owner: dead, jobs: [{ id: "1", state: "queued" }] }))).toBe("dead-with-jobs");
    expect(clusterCondition(clusterRecord({ owner: dead, localTempDirs: ["/tmp/x"] }))).toBe("dead-with-jobs");
    expect(clusterCondition(clusterRecord({ owner: dead }))).toBe("dead-cleaned");
    expect(clusterCondition(clusterRecord({ owner: { ...currentProcess(), host: "another-login-node" } }))).toBe("other-host");
  });

  it("a reused pid (same pid, other start time) is not the owner", () => {
    expect(isAlive({ ...currentProcess(), startTime: "1" })).toBe(false);
  });
});
