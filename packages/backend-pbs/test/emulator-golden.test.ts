/**
 * Golden tests of the PBS EMULATOR (packages/testing/emulators/pbs): its output is pinned to the
 * samples and messages of the real systems' documentation and sources, so that the backend tests
 * against the emulator test against the real formats. Each sample says where it comes from.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseProJson, parseQstatFull } from "../src/pbs-status.js";
import { emulatedServer } from "./emulator.js";
import { PRO_DOC_SAMPLE, TORQUE_DOC_SAMPLE } from "./samples.js";

const host = hostname();
const user = userInfo().username;
/** ctime(3) as qstat prints times, e.g. `Fri Nov 11 17:57:05 2016` (PBS Pro JSON sample, Torque sample). */
const CTIME = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}$/;

const work = mkdtempSync(join(tmpdir(), "daskq-pbs-golden-"));
const script = (name: string, body: string) => {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  return path;
};
const servers: Array<{ dispose(): void }> = [];
afterAll(() => {
  for (const s of servers) {
    try {
      s.dispose();
    } catch {
      // keep cleaning the others
    }
  }
  rmSync(work, { recursive: true, force: true });
});

const waitFor = async (check: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

describe("PBS EMULATOR, PBS Pro flavour, against PBS Pro's documented formats", () => {
  const server = emulatedServer("pro", { startDelayMs: 60_000 });
  servers.push(server);
  const { runner } = server;

  it("qstat --version prints `pbs_version = <version>` on stdout (OpenPBS pbs_version.h PRINT_VERSION_AND_EXIT)", async () => {
    expect(await runner.run("qstat", ["--version"])).toEqual({ exitCode: 0, stdout: "pbs_version = 22.05.11", stderr: "" });
  });

  it("qsub prints <seq>.<server>, and <seq>[].<server> for -J arrays (qsub(1B), qstat(1B) OPERANDS)", async () => {
    const one = await runner.run("qsub", [script("a.sh", "sleep 1")]);
    const array = await runner.run("qsub", ["-J", "0-3", script("a.sh", "sleep 1")]);
    expect(one.stdout).toMatch(/^\d+\.emulator$/);
    expect(array.stdout).toMatch(/^\d+\[\]\.emulator$/);
  });

  it("qstat -f -F json has the layout of the qstat(1B) / PP-483 sample: prologue, Jobs, the sample's attributes in its order", async () => {
    // The sample is job 1.vbox: submitted from standard input (name STDIN), queued in workq.
    const submitted = await runner.run("qsub", [], { input: "sleep 5\n", cwd: work });
    const id = submitted.stdout.trim();
    const out = await runner.run("qstat", ["-f", "-F", "json", id]);
    expect(out.exitCode).toBe(0);
    const ours = JSON.parse(out.stdout) as Record<string, unknown>;
    const doc = JSON.parse(PRO_DOC_SAMPLE) as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(doc));
    expect(typeof ours["timestamp"]).toBe("number");
    expect(ours["pbs_server"]).toBe("emulator");
    const docJob = (doc["Jobs"] as Record<string, Record<string, unknown>>)["1.vbox"] as Record<string, unknown>;
    const job = (ours["Jobs"] as Record<string, Record<string, unknown>>)[id] as Record<string, unknown>;
    const sampleKeys = Object.keys(docJob);
    expect(Object.keys(job).filter((k) => sampleKeys.includes(k))).toEqual(sampleKeys);
    const seq = id.split(".")[0];
    expect(job).toMatchObject({
      Job_Name: "STDIN",
      Job_Owner: `${user}@${host}`,
      job_state: "Q",
      queue: "workq",
      server: "emulator",
      Checkpoint: "u",
      Error_Path: `${host}:${work}/STDIN.e${seq}`,
      Hold_Types: "n",
      Join_Path: "n",
      Keep_Files: "n",
    });
    expect(job["ctime"]).toMatch(CTIME);
    for (const key of sampleKeys) expect(typeof job[key]).toBe(typeof docJob[key]);
    // And it parses as the backend parses the sample.
    expect(parseProJson(out.stdout)).toEqual([{ id, state: "Q", exitStatus: undefined, substate: 10, comment: expect.any(String) }]);
    // OpenPBS prints its JSON with cJSON_Print: tab indentation, `"key":<tab>value`.
    expect(out.stdout.split("\n")[1]).toMatch(/^\t"timestamp":\t\d+,$/);
  });

  it("unknown ids: `qstat: Unknown Job Id <id>` on stderr, exit 153 (PBSE_UNKJOBID 15001 & 0xff), known jobs still printed", async () => {
    const known = (await runner.run("qsub", ["-h", script("h.sh", "true")])).stdout.trim();
    const out = await runner.run("qstat", ["-x", "-f", "-F", "json", known, "999999"]);
    expect(out.exitCode).toBe(153);
    expect(out.stderr).toBe("qstat: Unknown Job Id 999999.emulator");
    expect(parseProJson(out.stdout).map((r) => `${r.id} ${r.state}`)).toEqual([`${known} H`]);
    const none = await runner.run("qstat", ["-x", "-f", "-F", "json", "999998.emulator"]);
    expect(none.exitCode).toBe(153);
    expect(Object.keys(JSON.parse(none.stdout) as object)).toEqual(["timestamp", "pbs_version", "pbs_server"]);
  });

  it("qdel: `Unknown Job Id` (153), `Job has finished` (35, PBSE_HISTJOBID 15139) as in OpenPBS qdel.c", async () => {
    const unknown = await runner.run("qdel", ["999999.emulator"]);
    expect(unknown).toEqual({ exitCode: 153, stdout: "", stderr: "qdel: Unknown Job Id 999999.emulator" });
    const held = (await runner.run("qsub", ["-h", script("h.sh", "true")])).stdout.trim();
    expect((await runner.run("qdel", [held])).exitCode).toBe(0);
    const again = await runner.run("qdel", [held]);
    expect(again).toEqual({ exitCode: 35, stdout: "", stderr: `qdel: Job has finished ${held}` });
    // A finished job needs -x (qstat(1B)): without it, PBSE_HISTJOBID's message.
    const hidden = await runner.run("qstat", [held]);
    expect(hidden.exitCode).toBe(35);
    expect(hidden.stderr).toBe(`qstat: ${held} Job has finished, use -x or -H to obtain historical job information`);
    const record = parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", held])).stdout)[0];
    expect(record).toMatchObject({ state: "F", substate: 91, exitStatus: undefined });
  });

  it("qselect: one id a line (OpenPBS src/cmds/qselect.c prints each with \"%s\\n\"); arrays as <seq>[] unless -T (jobs and subjobs); finished only with -x; none: no output, exit 0 (qselect(1B))", async () => {
    const one = (await runner.run("qsub", ["-N", "picked", script("p.sh", "true")])).stdout.trim();
    const array = (await runner.run("qsub", ["-N", "picked", "-J", "0-1", script("p.sh", "true")])).stdout.trim();
    await runner.run("qsub", ["-N", "other", script("p.sh", "true")]);
    const seq = array.split("[")[0];
    expect(await runner.run("qselect", ["-N", "picked"])).toEqual({ exitCode: 0, stdout: `${one}\n${array}`, stderr: "" });
    expect(await runner.run("qselect", ["-N", "picked", "-T"])).toEqual({ exitCode: 0, stdout: `${one}\n${seq}[0].emulator\n${seq}[1].emulator`, stderr: "" });
    expect(await runner.run("qselect", ["-N", "nobody"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    await runner.run("qdel", [one]);
    expect((await runner.run("qselect", ["-N", "picked"])).stdout).toBe(array);
    expect((await runner.run("qselect", ["-N", "picked", "-x"])).stdout).toBe(`${one}\n${array}`);
    await runner.run("qdel", [array]);
  });
});

describe("PBS EMULATOR, PBS Pro flavour, running jobs", () => {
  const server = emulatedServer("pro");
  servers.push(server);
  const { runner } = server;

  it("runs the job for real with PBS's variables, output in <name>.o<seq> in the submission directory", async () => {
    const body = 'echo "$PBS_JOBID|$PBS_JOBNAME|$PBS_O_WORKDIR|$PBS_QUEUE|$PBS_ENVIRONMENT|$(pwd)"; echo oops >&2; exit 3';
    const id = (await runner.run("qsub", ["-N", "envjob", script("env.sh", body)], { cwd: work })).stdout.trim();
    const seq = id.split(".")[0];
    expect(await waitFor(async () => parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", id])).stdout)[0]?.state === "F")).toBe(true);
    expect(readFileSync(join(work, `envjob.o${seq}`), "utf8")).toBe(`${id}|envjob|${work}|workq|PBS_BATCH|${process.env["HOME"]}\n`);
    expect(readFileSync(join(work, `envjob.e${seq}`), "utf8")).toBe("oops\n");
    const [record] = parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", id])).stdout);
    expect(record).toMatchObject({ state: "F", exitStatus: 3, substate: 93 });
  });

  it("arrays: parent B while subjobs run, subjobs X when done, PBS_ARRAY_INDEX set, %limit respected", async () => {
    const logs = mkdtempSync(join(work, "logs-"));
    const id = (await runner.run("qsub", ["-J", "0-2%1", "-j", "oe", "-o", `${logs}/`, script("arr.sh", 'echo "i=$PBS_ARRAY_INDEX"; sleep 1')])).stdout.trim();
    const seq = id.split("[")[0];
    await waitFor(async () => parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", "-t", id])).stdout).some((r) => r.state === "R"));
    const running = parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", "-t", id])).stdout);
    expect(running.find((r) => r.id === id)?.state).toBe("B");
    expect(running.filter((r) => r.state === "R")).toHaveLength(1);
    expect(await waitFor(async () => parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", id])).stdout)[0]?.state === "F", 15_000)).toBe(true);
    const done = parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", "-t", id])).stdout);
    expect(done.map((r) => `${r.id} ${r.state} ${r.exitStatus}`)).toEqual([
      `${id} F 0`,
      `${seq}[0].emulator X 0`,
      `${seq}[1].emulator X 0`,
      `${seq}[2].emulator X 0`,
    ]);
    // qsub(1B): a path without a file name gets <job ID>.OU.
    expect(readFileSync(join(logs, `${seq}[2].emulator.OU`), "utf8")).toBe("i=2\n");
  });

  it("qdel kills a running job's process group: F, substate 91, Exit_status 271 (256 + SIGTERM)", async () => {
    const id = (await runner.run("qsub", [script("long.sh", "sleep 300 & wait")])).stdout.trim();
    await waitFor(async () => parseProJson((await runner.run("qstat", ["-f", "-F", "json", id])).stdout)[0]?.state === "R");
    expect((await runner.run("qdel", [id])).exitCode).toBe(0);
    expect(await waitFor(async () => parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", id])).stdout)[0]?.state === "F")).toBe(true);
    expect(parseProJson((await runner.run("qstat", ["-x", "-f", "-F", "json", id])).stdout)[0]).toMatchObject({ exitStatus: 271, substate: 91 });
  });

  it("gives concurrent qsub calls distinct ids", async () => {
    const path = script("c.sh", "true");
    const results = await Promise.all(Array.from({ length: 12 }, () => runner.run("qsub", ["-h", path])));
    const ids = results.map((r) => r.stdout.trim());
    expect(new Set(ids).size).toBe(12);
  });

  it("rejects what PBS Pro rejects: Torque's -t, unknown resources, bad walltimes", async () => {
    const path = script("r.sh", "true");
    expect(await runner.run("qsub", ["-t", "0-1", path])).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/^qsub: invalid option -- 't'/) });
    expect(await runner.run("qsub", ["-l", "bogus=1", path])).toMatchObject({ exitCode: 1, stderr: "qsub: Unknown resource Resource_List.bogus" });
    expect(await runner.run("qsub", ["-l", "walltime=1:xx", path])).toMatchObject({ exitCode: 2, stderr: "qsub: illegal -l value" });
  });
});

describe("PBS EMULATOR, PBS Pro flavour without job history", () => {
  const server = emulatedServer("pro", { jobHistory: false });
  servers.push(server);
  const { runner } = server;

  it("refuses -x per operand with PBSE_JOBHISTNOTSET's message and exits 0; finished jobs are unknown at once (OpenPBS req_stat.c, qstat.c)", async () => {
    const id = (await runner.run("qsub", [script("n.sh", "true")])).stdout.trim();
    const out = await runner.run("qstat", ["-x", "-f", "-F", "json", id]);
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe(`qstat: PBS is not configured to maintain job history ${id}`);
    expect(parseProJson(out.stdout)).toEqual([]);
    expect(await waitFor(async () => (await runner.run("qstat", ["-f", "-F", "json", id])).exitCode === 153)).toBe(true);
  });
});

describe("PBS EMULATOR, Torque flavour, against Torque's documented formats", () => {
  const server = emulatedServer("torque");
  servers.push(server);
  const { runner } = server;

  it("qstat --version prints `Version: <v>` and `Commit:` on stderr (Torque src/cmds/qstat.c)", async () => {
    const out = await runner.run("qstat", ["--version"]);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/^Version: 6\.1\.3\nCommit: \S+$/);
  });

  it("qstat -f has the layout of the Torque documentation's sample (2.7 Job Exit Status): names in its order, 4-space indent, tab continuations", async () => {
    const long = "x".repeat(60);
    const id = (await runner.run("qsub", ["-v", `LONG_ONE=${long},LONG_TWO=${long}`, script("t.sh", "exit 3")], { cwd: work })).stdout.trim();
    expect(id).toMatch(/^\d+\.emulator$/);
    await waitFor(async () => parseQstatFull((await runner.run("qstat", ["-f", id])).stdout)[0]?.state === "C");
    const out = await runner.run("qstat", ["-f", id]);
    const lines = out.stdout.split("\n");
    expect(lines[0]).toBe(`Job Id: ${id}`);
    // A blank line ends the job (the runner strips the output's final newline).
    expect(lines.at(-1)).toBe("");
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^( {4}[\w.]+ = .*|\t\S.*)$/);
    expect(lines.some((l) => l.startsWith("\t"))).toBe(true);
    const names = (text: string) => [...text.matchAll(/^ {4}([\w.]+) = /gm)].map((m) => m[1] as string);
    const docNames = names(TORQUE_DOC_SAMPLE).filter((n) => n !== "sched_hint" && n !== "Resource_List.ncpus");
    expect(names(out.stdout).filter((n) => docNames.includes(n))).toEqual(docNames);
    expect(parseQstatFull(out.stdout)).toEqual([{ id, state: "C", exitStatus: 3, substate: undefined, comment: undefined, name: "t.sh" }]);
    expect(out.stdout).toMatch(/^ {4}ctime = (.*)$/m);
    expect(/^ {4}ctime = (.*)$/m.exec(out.stdout)?.[1]).toMatch(CTIME);
    // -1: every attribute on one line.
    expect((await runner.run("qstat", ["-f", "-1", id])).stdout.split("\n").some((l) => l.startsWith("\t"))).toBe(false);
  });

  it("unknown ids: `qstat: Unknown Job Id Error <id>` (pbs_error_db.h), exit 153; qdel: `nonexistent job id`, `invalid state for job - COMPLETE`", async () => {
    const out = await runner.run("qstat", ["-f", "999999.emulator"]);
    expect(out).toEqual({ exitCode: 153, stdout: "", stderr: "qstat: Unknown Job Id Error 999999.emulator" });
    expect(await runner.run("qdel", ["999999.emulator"])).toEqual({ exitCode: 153, stdout: "", stderr: "qdel: nonexistent job id: 999999.emulator" });
    const id = (await runner.run("qsub", [script("q.sh", "true")])).stdout.trim();
    await waitFor(async () => parseQstatFull((await runner.run("qstat", ["-f", id])).stdout)[0]?.state === "C");
    expect(await runner.run("qdel", [id])).toEqual({ exitCode: 168, stdout: "", stderr: `qdel: invalid state for job - COMPLETE ${id}` });
  });

  it("arrays: qsub -t prints <seq>[].<server>; subjobs <seq>[i] get PBS_ARRAYID and <name>-<i> names; -J is not an option", async () => {
    const logs = mkdtempSync(join(work, "tlogs-"));
    const id = (await runner.run("qsub", ["-N", "arr", "-t", "0-1", "-j", "oe", "-o", `${logs}/`, script("ta.sh", 'echo "i=$PBS_ARRAYID $PBS_JOBNAME"')])).stdout.trim();
    expect(id).toMatch(/^\d+\[\]\.emulator$/);
    const seq = id.split("[")[0];
    await waitFor(async () => parseQstatFull((await runner.run("qstat", ["-f", "-t", id])).stdout).every((r) => r.state === "C"));
    expect(parseQstatFull((await runner.run("qstat", ["-f", "-1", "-t", id])).stdout).map((r) => `${r.id} ${r.state}`)).toEqual([
      `${seq}[0].emulator C`,
      `${seq}[1].emulator C`,
    ]);
    // Torque: directory paths get <job name>.o<seq>, subjob paths -<index>.
    expect(readFileSync(join(logs, `arr.o${seq}-1`), "utf8")).toBe("i=1 arr-1\n");
    expect((await runner.run("qsub", ["-J", "0-1", script("tj.sh", "true")])).exitCode).toBe(2);
  });

  it("qselect -N: one id a line (Torque src/cmds/qselect.c); a subjob is a job named <name>-<index> (Torque job arrays: each subjob's PBS_JOBNAME differs), so the array's name selects none of them; no -T", async () => {
    const one = (await runner.run("qsub", ["-h", "-N", "tpick", script("tp.sh", "true")])).stdout.trim();
    const array = (await runner.run("qsub", ["-h", "-N", "tpick", "-t", "0-1", script("tp.sh", "true")])).stdout.trim();
    const seq = array.split("[")[0];
    expect(await runner.run("qselect", ["-N", "tpick"])).toEqual({ exitCode: 0, stdout: one, stderr: "" });
    expect(await runner.run("qselect", ["-N", "tpick-1"])).toEqual({ exitCode: 0, stdout: `${seq}[1].emulator`, stderr: "" });
    expect(await runner.run("qselect", ["-T"])).toMatchObject({ exitCode: 2, stdout: "", stderr: expect.stringMatching(/^qselect: invalid option -- 'T'\nusage: qselect /) });
    await runner.run("qdel", [one, array]);
  });
});
