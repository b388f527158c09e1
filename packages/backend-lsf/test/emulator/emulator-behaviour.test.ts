/**
 * What the LSF EMULATOR does with jobs: real processes in their own sessions, LSF's environment
 * variables, -o/-e with %J/%I, job arrays and their slot limit, holds, bkill's SIGINT/SIGTERM/SIGKILL,
 * run limits, CLEAN_PERIOD, bsub script parsing, and concurrent submissions.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createLsfEmulatorCluster,
  eventually,
  findProcesses,
  lsfEmulatorRunner,
  type LsfEmulatorCluster,
} from "@daskq/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExact } from "./exact.js";

describe("LSF emulator: jobs", () => {
  let cluster: LsfEmulatorCluster;
  let logs: string;
  const knobs = {
    // Long enough that bjobs, slow on a loaded machine, still sees a killed job RUN between bkill and its SIGKILL.
    DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL: "3",
    DASKQ_LSF_EMULATOR_MINUTE: "1",
    DASKQ_LSF_EMULATOR_RUNLIMIT_GRACE: "1",
  };

  beforeAll(async () => {
    cluster = await createLsfEmulatorCluster({}, knobs);
    logs = join(cluster.stateDir, "..", "logs");
    await mkdir(logs, { recursive: true });
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  const runner = () => lsfEmulatorRunner(cluster);
  const submit = async (script: string, args: string[] = []) => {
    const out = await runExact(runner(), "bsub", args, script);
    expect(out.exitCode, out.stderr).toBe(0);
    return /Job <(\d+)>/.exec(out.stdout)?.[1] as string;
  };
  /** STAT (and exit code and reason) of each id, from one bjobs call. */
  const stat = async (...ids: string[]) => {
    const out = await runner().run("bjobs", ["-noheader", "-o", "jobid jobindex stat exit_code exit_reason delimiter='|'", ...ids]);
    const result: Record<string, string> = {};
    for (const line of out.stdout.split("\n").filter(Boolean)) {
      const [id, index, st, code, reason] = line.split("|");
      result[index === "0" ? (id as string) : `${id}[${index}]`] = [st, code, reason].filter((v) => v !== "-").join(" ");
    }
    return result;
  };
  const waitFor = (id: string, prefix: string, timeoutMs = 15_000) =>
    eventually(async () => (await stat(id))[id]?.startsWith(prefix) ?? false, timeoutMs, 100);

  it("runs a job as a real process in its own session with LSF's variables, output to -o with %J/%I", async () => {
    const script = [
      "#!/bin/bash",
      "#BSUB -J envjob",
      "#BSUB -q normal",
      `#BSUB -o ${logs}/env-%J_%I.out`,
      `#BSUB -e ${logs}/env-%J_%I.out`,
      'echo "LSB_JOBID=$LSB_JOBID LSB_JOBINDEX=$LSB_JOBINDEX LSB_JOBNAME=$LSB_JOBNAME LSB_QUEUE=$LSB_QUEUE"',
      "echo to-stderr >&2",
      "exit 3",
      "",
    ].join("\n");
    const id = await submit(script);
    expect(await waitFor(id, "EXIT")).toBe(true);
    expect((await stat(id))[id]).toBe("EXIT 3");
    const text = await readFile(join(logs, `env-${id}_0.out`), "utf8");
    // "For non-array jobs, LSB_JOBINDEX is set to zero" (IBM LSF, job arrays); %I "is replaced by 0 (zero)" (bsub -o).
    expect(text).toContain(`LSB_JOBID=${id} LSB_JOBINDEX=0 LSB_JOBNAME=envjob LSB_QUEUE=normal\nto-stderr\n`);
    expect(text).toContain(`Subject: Job ${id}: <envjob> in cluster <daskq_emulator> Exited`);
    expect(text.trimEnd().endsWith("Exited with exit code 3.")).toBe(true);
  });

  it("runs each array element with its LSB_JOBINDEX, at most %k at a time, starting the next when one ends", async () => {
    // Each element says it started, then waits until the test releases it: no timing involved.
    const started = (i: number) => join(logs, `arr-started-${i}`);
    const release = (i: number) => writeFile(join(logs, `arr-release-${i}`), "");
    const script = [
      "#!/bin/bash",
      `#BSUB -o ${logs}/arr-%J_%I.out`,
      'echo "element $LSB_JOBINDEX of $LSB_JOBID"',
      `touch ${logs}/arr-started-$LSB_JOBINDEX`,
      `while [ ! -e ${logs}/arr-release-$LSB_JOBINDEX ]; do sleep 0.1; done`,
      "",
    ].join("\n");
    const id = await submit(script, ["-J", "arr[1-3]%1"]);
    expect(await eventually(() => existsSync(started(1)), 15_000, 100)).toBe(true);
    const first = await stat(id);
    expect([first[`${id}[1]`], first[`${id}[2]`], first[`${id}[3]`]]).toEqual(["RUN", "PEND", "PEND"]);
    const reason = await runner().run("bjobs", ["-noheader", "-o", "pend_reason", `${id}[2]`]);
    expect(reason.stdout).toBe("The job array has reached its job slot limit");
    // No command runs from here on: the ending element's wrapper starts the next one.
    for (const i of [1, 2]) {
      expect(existsSync(started(i + 1))).toBe(false);
      await release(i);
      expect(await eventually(() => existsSync(started(i + 1)), 15_000, 100)).toBe(true);
    }
    await release(3);
    expect(await eventually(async () => Object.values(await stat(id)).every((s) => s === "DONE"), 15_000, 200)).toBe(true);
    for (const i of [1, 2, 3]) {
      const text = await readFile(join(logs, `arr-${id}_${i}.out`), "utf8");
      expect(text.startsWith(`element ${i} of ${id}\n`)).toBe(true);
      expect(text).toContain("Successfully completed.");
    }
  });

  it("holds a job submitted with -H (PSUSP) and ends it at once when killed", async () => {
    const id = await submit("sleep 100\n", ["-H"]);
    expect((await stat(id))[id]).toBe("PSUSP");
    await runner().run("bkill", [id]);
    expect((await stat(id))[id]).toBe("EXIT TERM_OWNER: job killed by owner");
  });

  it("bkill sends SIGINT, then SIGTERM and SIGKILL a JOB_TERMINATE_INTERVAL apart, to the whole process group", async () => {
    const marker = `emulator-stubborn-${process.pid}`;
    const script = [
      `#BSUB -o ${logs}/stubborn-%J.out`,
      "trap 'echo got INT' INT",
      "trap 'echo got TERM' TERM",
      `bash -c 'trap "" INT TERM; exec -a ${marker} sleep 300' &`,
      "while true; do sleep 0.1; done",
      "",
    ].join("\n");
    const id = await submit(script);
    expect(await eventually(async () => (await findProcesses(marker)).length === 1, 5000, 100)).toBe(true);
    const [child] = await findProcesses(marker);
    expect(child?.sid).not.toBe((await findProcesses(`${process.pid}`)).find((p) => p.pid === process.pid)?.sid);
    const killed = await runExact(runner(), "bkill", [id]);
    expect(killed.stdout).toBe(`Job <${id}> is being terminated\n`);
    expect((await stat(id))[id]).toBe("RUN"); // still running until its processes are gone
    expect(await waitFor(id, "EXIT", 20_000)).toBe(true);
    expect((await stat(id))[id]).toBe("EXIT TERM_OWNER: job killed by owner");
    expect(await findProcesses(marker)).toEqual([]);
    const text = await readFile(join(logs, `stubborn-${id}.out`), "utf8");
    expect(text).toMatch(/got INT[\s\S]*got TERM/);
  });

  it("enforces -W: SIGUSR2 at the run limit, SIGKILL after the grace period, reason TERM_RUNLIMIT", async () => {
    // DASKQ_LSF_EMULATOR_MINUTE=1: a minute of -W lasts one second here.
    const id = await submit(`#BSUB -o ${logs}/limit-%J.out\ntrap 'echo got USR2' USR2\nwhile true; do sleep 0.1; done\n`, ["-W", "1"]);
    expect(await waitFor(id, "EXIT", 15_000)).toBe(true);
    expect((await stat(id))[id]).toBe("EXIT TERM_RUNLIMIT: job killed after reaching LSF run time limit");
    expect(await readFile(join(logs, `limit-${id}.out`), "utf8")).toContain("got USR2");
  });

  it("does not create a missing -o directory: the output goes to the user's mail instead", async () => {
    const id = await submit(`#BSUB -o ${logs}/missing/out-%J.txt\necho mailed\n`);
    expect(await waitFor(id, "DONE")).toBe(true);
    expect(existsSync(join(logs, "missing"))).toBe(false);
    expect(await readFile(join(cluster.stateDir, "mail", id), "utf8")).toContain("mailed\n");
  });

  it("lets command-line options beat #BSUB lines", async () => {
    const id = await submit("#BSUB -J fromscript\n#BSUB -q nosuch\nsleep 100\n", ["-H", "-J", "fromcli[1-2]", "-q", "normal"]);
    const out = await runner().run("bjobs", ["-noheader", "-o", "job_name queue", id]);
    expect(out.stdout).toBe("fromcli[1] normal\nfromcli[2] normal");
    await runner().run("bkill", [id]);
  });

  it("forgets finished jobs after CLEAN_PERIOD", async () => {
    const id = await submit("true\n");
    expect(await waitFor(id, "DONE")).toBe(true);
    const later = lsfEmulatorRunner({ ...cluster, env: { ...cluster.env, DASKQ_LSF_EMULATOR_CLEAN_PERIOD: "0" } });
    await new Promise((r) => setTimeout(r, 50));
    const gone = await later.run("bjobs", [id]);
    expect(gone).toMatchObject({ exitCode: 255, stderr: `Job <${id}> is not found` });
    expect((await later.run("bkill", [id])).stderr).toBe(`Job <${id}>: No matching job found`);
  });

  it("gives concurrent submissions distinct ids", async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => submit("sleep 100\n", ["-H"])));
    expect(new Set(ids).size).toBe(8);
    await runner().run("bkill", ids);
  });

  it("acts like an LSF without -json when DASKQ_LSF_EMULATOR_JSON=0", async () => {
    const old = lsfEmulatorRunner({ ...cluster, env: { ...cluster.env, DASKQ_LSF_EMULATOR_JSON: "0" } });
    const out = await old.run("bjobs", ["-o", "jobid stat", "-json", "1"]);
    expect(out.exitCode).toBe(255);
    expect(out.stderr).toMatch(/illegal option -- json/);
  });
});

describe("LSF emulator: bsub with a script argument", () => {
  it("reads #BSUB lines of `bsub script` only with LSB_BSUB_PARSE_SCRIPT=Y", async () => {
    // IBM LSF (bsub job_script): "The LSB_BSUB_PARSE_SCRIPT parameter must be set to Y in the lsf.conf file to specify
    // a job script", and #BSUB lines may follow commands.
    for (const parse of [false, true]) {
      const cluster = await createLsfEmulatorCluster(parse ? { LSB_BSUB_PARSE_SCRIPT: "Y" } : {});
      try {
        const script = join(cluster.envDir, "job.sh");
        // Executable: without parsing, LSF runs it as a command.
        await writeFile(script, "#!/bin/sh\n#BSUB -J parsed\n#BSUB -H\nsleep 100\n#BSUB -P myproj\n", { mode: 0o755 });
        const runner = lsfEmulatorRunner(cluster);
        const sub = await runner.run("bsub", [script]);
        const id = /<(\d+)>/.exec(sub.stdout)?.[1] as string;
        const out = await runner.run("bjobs", ["-noheader", "-o", "job_name stat proj_name delimiter='|'", id]);
        expect(out.stdout).toBe(parse ? "parsed|PSUSP|myproj" : `${script}|RUN|default`);
      } finally {
        await cluster.dispose();
      }
    }
  });
});
