import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { ClusterRecord } from "@daskq/core";

/** One trial of "kill -9 of `daskq up` on Slurm": options. */
export interface SlurmKillTrialOptions {
  /** The built `daskq` entry (packages/cli/dist/bin.js). */
  readonly bin: string;
  /** Jobs running at the kill (Slurm array task limit). */
  readonly running: number;
  /** Jobs queued at the kill. */
  readonly queued: number;
  readonly cwd: string;
  /** Give up waiting for the cluster to reach `running` workers after this long. Default 180 000 ms. */
  readonly readyTimeoutMs?: number;
  /** Watch the queue this long after the kill. Default 60 000 ms. */
  readonly drainTimeoutMs?: number;
}

/** What one trial measured. */
export interface SlurmKillTrialResult {
  readonly clusterId: string;
  readonly queuedAtKill: readonly string[];
  readonly runningAtKill: readonly string[];
  /** Jobs queued at the kill that started later (they wrote an output file). */
  readonly startedAfterKill: readonly string[];
  /** From the kill until squeue listed none of the cluster's jobs; undefined if it never happened. */
  readonly queueEmptyMs: number | undefined;
  /** From the kill until the watchdog's cancel call returned (its log line). */
  readonly cancelledMs: number | undefined;
  /** The cluster's condition at the end, as `daskq ls` reports it. */
  readonly condition: string | undefined;
  /** Temporary directories of the cluster still present at the end. */
  readonly tempDirsLeft: readonly string[];
}

const ACTIVE = "PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED,REQUEUED";

/**
 * Starts `daskq up --backend slurm` with `running` workers and `queued` more jobs waiting (one
 * array whose running-task limit is `running`, so the waiting ones start as soon as a running one
 * ends), kills it with SIGKILL, and measures what follows. Every job is found through the
 * cluster's own state file, so other users of the Slurm testbed do not disturb it.
 */
export async function slurmKillTrial(options: SlurmKillTrialOptions): Promise<SlurmKillTrialResult> {
  const home = await mkdtemp(join(tmpdir(), "daskq-kill-home-"));
  const logs = await mkdtemp(join(tmpdir(), "daskq-kill-logs-"));
  const total = options.running + options.queued;
  const env = { PATH: process.env["PATH"] ?? "", DASKQ_HOME: home };
  const child = execa(
    "node",
    [options.bin, "up", "--backend", "slurm", "--jobs", String(total), "--cores", "1", "--memory", "300MB", "--queue", "debug", "--poll-interval", "0.5",
      "--set", `array-max-running=${options.running}`, "--log-directory", logs, "--json"],
    { cwd: options.cwd, env, extendEnv: false, reject: false },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no ${options.running} workers after ${options.readyTimeoutMs ?? 180_000} ms:\n${out}`)), options.readyTimeoutMs ?? 180_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const ready = out.split("\n").some((line) => {
          const counts = line.startsWith('{"progress"') ? (JSON.parse(line) as { progress: { workers: number; queued: number } }).progress : undefined;
          return counts !== undefined && counts.workers >= options.running && counts.queued >= options.queued;
        });
        if (ready) {
          clearTimeout(timer);
          resolve();
        }
      });
      void child.then((r) => reject(new Error(`daskq up ended early (exit ${r.exitCode}): ${r.stderr}`)));
    });
    const stateDir = join(home, "state");
    const [file] = (await readdir(stateDir)).filter((f) => f.endsWith(".json"));
    const record = JSON.parse(await readFile(join(stateDir, file as string), "utf8")) as ClusterRecord;
    const arrays = [...new Set(record.jobs.map((j) => j.id.split("_")[0] as string))];
    const before = (await squeue(arrays)) ?? [];
    const queuedAtKill = before.filter(([, state]) => state === "PENDING").map(([id]) => id);
    const runningAtKill = before.filter(([, state]) => state === "RUNNING").map(([id]) => id);

    const killedAt = Date.now();
    child.kill("SIGKILL");
    let queueEmptyMs: number | undefined;
    while (Date.now() - killedAt < (options.drainTimeoutMs ?? 60_000)) {
      if ((await squeue(arrays))?.length === 0) {
        queueEmptyMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    let condition: string | undefined;
    for (let i = 0; i < 100 && condition !== "dead-cleaned"; i++) {
      const ls = await execa("node", [options.bin, "ls", "--json"], { cwd: options.cwd, env, extendEnv: false, reject: false });
      condition = (JSON.parse(ls.stdout || "[]") as Array<{ condition: string }>)[0]?.condition;
      if (condition !== "dead-cleaned") await new Promise((r) => setTimeout(r, 300));
    }
    const log = (await readFile(join(stateDir, `${record.clusterId}.log`), "utf8").catch(() => "")).split("\n").find((l) => l.includes(" info cancelled "));
    const written = new Set((await readdir(logs)).map((f) => /-(\d+_\d+)\.out$/.exec(f)?.[1]).filter(Boolean));
    return {
      clusterId: record.clusterId,
      queuedAtKill,
      runningAtKill,
      startedAfterKill: queuedAtKill.filter((id) => written.has(id)),
      queueEmptyMs,
      cancelledMs: log ? Date.parse(log.split(" ")[0] as string) - killedAt : undefined,
      condition,
      tempDirsLeft: [...record.localTempDirs, ...record.runnerTempDirs].filter((d) => existsSync(d)),
    };
  } finally {
    child.kill("SIGKILL");
    await child;
    await rm(home, { recursive: true, force: true });
    await rm(logs, { recursive: true, force: true });
  }
}

/** Active jobs of these array jobs, one `[id, state]` per task; undefined when squeue failed. */
async function squeue(arrays: readonly string[]): Promise<Array<[string, string]> | undefined> {
  const { stdout, stderr, exitCode } = await execa("squeue", ["-h", "-r", "-t", ACTIVE, "-o", "%i %T", "-j", arrays.join(",")], { reject: false });
  if (exitCode !== 0) return /Invalid job id/i.test(stderr) ? [] : undefined;
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f): f is [string, string] => f.length === 2 && f[0] !== "");
}
