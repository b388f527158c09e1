// HTCONDOR EMULATOR: the emulated condor_schedd and its one execute machine. Every command runs
// one "turn" under the state lock: procs whose processes ended are completed (and leave the queue
// for the history), removed procs whose processes are gone leave the queue too, the
// SYSTEM_PERIODIC_HOLD test hook is applied, and idle procs start as real local processes while a
// slot is free and the machine has the cpus, memory and disk they request.
//
// State ($DASKQ_HTCONDOR_EMULATOR_STATE): queue.json (the job queue), history.jsonl (ads of jobs
// that left the queue, oldest first), seq (the last cluster id), execute/<C>.<P>/ (scratch
// directories with the exit file and .job.ad), lock.

import { spawn } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, accessSync, constants, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// The lock, /proc checks and signal helpers are the LSF emulator's (one copy for both emulators).
import { alive, procStat, signalGroup, withLock, writeAtomic } from "../../lsf/lib/state.mjs";
import { formatLongValue, isReal, matches, parseExpression, valueOf } from "./classad.mjs";
import { strerror } from "./submit-description.mjs";

const WRAPPER = fileURLToPath(new URL("./job-wrapper.sh", import.meta.url));
const DISPATCH = fileURLToPath(new URL("./dispatch.mjs", import.meta.url));

/** The emulator's own settings, for turns started where the environment is a job's. */
export function emulatorEnv(env = process.env) {
  return JSON.stringify(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("DASKQ_HTCONDOR_EMULATOR_"))));
}

/** JobStatus codes (docs/codes-other-values/job-status-codes.rst). */
export const IDLE = 1;
export const RUNNING = 2;
export const REMOVED = 3;
export const COMPLETED = 4;
export const HELD = 5;

function number(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** The emulated pool: environment knobs (see ../README.md). */
export function settings(env = process.env) {
  const host = hostname().split(".")[0] || "localhost";
  let user;
  try {
    user = userInfo().username;
  } catch {
    user = env.USER || "user";
  }
  return {
    stateDir: env.DASKQ_HTCONDOR_EMULATOR_STATE || "/tmp/daskq-htcondor-emulator",
    slots: number(env, "DASKQ_HTCONDOR_EMULATOR_SLOTS", 8),
    cpus: number(env, "DASKQ_HTCONDOR_EMULATOR_CPUS", 64),
    memoryMb: number(env, "DASKQ_HTCONDOR_EMULATOR_MEMORY", 65536),
    diskKb: number(env, "DASKQ_HTCONDOR_EMULATOR_DISK", 100 * 1024 * 1024),
    startDelayMs: number(env, "DASKQ_HTCONDOR_EMULATOR_START_DELAY_MS", 0),
    killTimeout: number(env, "DASKQ_HTCONDOR_EMULATOR_KILL_TIMEOUT", 5),
    periodicHold: env.DASKQ_HTCONDOR_EMULATOR_SYSTEM_PERIODIC_HOLD || undefined,
    periodicHoldReason: env.DASKQ_HTCONDOR_EMULATOR_SYSTEM_PERIODIC_HOLD_REASON || undefined,
    host,
    user,
    uidDomain: host,
    scheddName: host,
    defaults: { memoryMb: 128, diskKb: 1024 },
  };
}

/** `C.P`. */
export const jobId = (ad) => `${ad.ClusterId}.${ad.ProcId}`;

/** The job queue and history on disk. Use only inside withSchedd. */
class Store {
  constructor(s) {
    this.s = s;
    this.queuePath = join(s.stateDir, "queue.json");
    this.historyPath = join(s.stateDir, "history.jsonl");
  }
  load() {
    try {
      return JSON.parse(readFileSync(this.queuePath, "utf8"));
    } catch {
      return [];
    }
  }
  save(procs) {
    writeAtomic(this.queuePath, `${JSON.stringify(procs)}\n`);
  }
  nextCluster() {
    const seq = join(this.s.stateDir, "seq");
    let last = 0;
    try {
      last = Number(readFileSync(seq, "utf8").trim()) || 0;
    } catch {
      // The first cluster.
    }
    writeAtomic(seq, `${last + 1}\n`);
    return last + 1;
  }
  appendHistory(ad) {
    appendFileSync(this.historyPath, `${JSON.stringify(ad)}\n`);
  }
}

/** The ads of jobs that left the queue, most recent first (as condor_history lists them). */
export function readHistory(s = settings()) {
  let text = "";
  try {
    text = readFileSync(join(s.stateDir, "history.jsonl"), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))
    .reverse();
}

/**
 * Runs `fn(schedd)` in one turn holding the lock, and returns its result. `schedd` offers the
 * queue (`procs`, each { ad, run, rt }), `submit`, `remove`, `hold`, `release` and the settings.
 */
export function withSchedd(fn = () => undefined) {
  const s = settings();
  return withLock(s.stateDir, () => {
    const store = new Store(s);
    const schedd = new Schedd(s, store, store.load());
    schedd.turn();
    const result = fn(schedd);
    schedd.turn();
    store.save(schedd.procs);
    return result;
  });
}

class Schedd {
  constructor(s, store, procs) {
    this.s = s;
    this.store = store;
    this.procs = procs;
    this.periodicHold = s.periodicHold ? parseExpression(s.periodicHold) : undefined;
  }

  get now() {
    return Math.floor(Date.now() / 1000);
  }

  /** Adds a cluster of job ads (from buildJobs) and returns its id. */
  newCluster() {
    return this.store.nextCluster();
  }

  submit(jobs) {
    for (const { ad, run } of jobs) {
      const proc = { ad, run, rt: { idleSince: Date.now() } };
      this.procs.push(proc);
      this.event(proc, "000", `Job submitted from host: <127.0.0.1:9618?addrs=127.0.0.1-9618&alias=${this.s.host}>`);
      if (ad.JobStatus === HELD) this.event(proc, "012", `Job was held.\n\t${ad.HoldReason}\n\tCode ${ad.HoldReasonCode} Subcode ${ad.HoldReasonSubCode}`);
    }
    if (this.s.startDelayMs > 0) startTimer([this.s.startDelayMs / 1000 + 0.05]);
  }

  /** One pass: record ended processes, apply the hold policy, start what fits. */
  turn() {
    for (const proc of [...this.procs]) this.reconcile(proc);
    if (this.periodicHold) {
      for (const proc of this.procs) {
        if ((proc.ad.JobStatus === IDLE || proc.ad.JobStatus === RUNNING) && matches(this.periodicHold, proc.ad)) {
          const reason = this.s.periodicHoldReason ?? `The system macro SYSTEM_PERIODIC_HOLD expression '${this.s.periodicHold}' evaluated to TRUE`;
          this.hold(proc, reason, 26, 0);
        }
      }
    }
    this.dispatch();
  }

  reconcile(proc) {
    const rt = proc.rt;
    if (!rt.pid) return;
    let code;
    try {
      code = Number(readFileSync(rt.exitFile, "utf8").trim());
    } catch {
      code = undefined;
    }
    const ended = (code !== undefined && Number.isInteger(code)) || !alive(rt.pid, rt.pstart);
    if (!ended) {
      if (rt.killAt && !rt.killSent && Date.now() >= rt.killAt) {
        signalGroup(rt.pid, rt.pstart, "SIGKILL");
        rt.killSent = true;
      }
      return;
    }
    const ad = proc.ad;
    const now = this.now;
    for (const timer of rt.timers ?? []) signalGroup(timer.pid, timer.start, "SIGKILL");
    proc.rt = { idleSince: Date.now() };
    rmSync(dirname(rt.exitFile), { recursive: true, force: true });
    ad.RemoteWallClockTime = { real: (ad.RemoteWallClockTime?.real ?? 0) + (now - (ad.JobCurrentStartDate ?? now)) };
    delete ad.RemoteHost;
    if (ad.JobStatus === REMOVED) return this.leaveQueue(proc, "009", `Job was aborted.\n\t${ad.RemoveReason}`);
    if (ad.JobStatus === HELD) return;
    ad.JobStatus = COMPLETED;
    ad.EnteredCurrentStatus = now;
    ad.CompletionDate = now;
    if (code === undefined || code > 128) {
      ad.ExitBySignal = true;
      ad.ExitSignal = code === undefined ? 9 : code - 128;
      delete ad.ExitCode;
      return this.leaveQueue(proc, "005", `Job terminated.\n\t(0) Abnormal termination (signal ${ad.ExitSignal})`);
    }
    ad.ExitBySignal = false;
    ad.ExitCode = code;
    return this.leaveQueue(proc, "005", `Job terminated.\n\t(1) Normal termination (return value ${code})`);
  }

  leaveQueue(proc, event, text) {
    this.event(proc, event, text);
    this.procs = this.procs.filter((p) => p !== proc);
    this.store.appendHistory(proc.ad);
  }

  dispatch() {
    let running = this.procs.filter((p) => p.rt.pid);
    const used = { cpus: 0, memoryMb: 0, diskKb: 0 };
    for (const p of running) {
      used.cpus += p.rt.claimed.cpus;
      used.memoryMb += p.rt.claimed.memoryMb;
      used.diskKb += p.rt.claimed.diskKb;
    }
    for (const proc of this.procs) {
      if (proc.ad.JobStatus !== IDLE || proc.rt.pid) continue;
      if (running.length >= this.s.slots) break;
      if (Date.now() - proc.rt.idleSince < this.s.startDelayMs) continue;
      const want = this.requests(proc.ad);
      // A request no machine meets leaves the job idle, as in HTCondor (it never matches).
      if (!want) continue;
      if (used.cpus + want.cpus > this.s.cpus || used.memoryMb + want.memoryMb > this.s.memoryMb || used.diskKb + want.diskKb > this.s.diskKb) continue;
      if (!this.start(proc, want, running.length + 1)) continue;
      running = [...running, proc];
      used.cpus += want.cpus;
      used.memoryMb += want.memoryMb;
      used.diskKb += want.diskKb;
    }
  }

  /** RequestCpus/RequestMemory/RequestDisk as numbers, or undefined when they do not evaluate to numbers. */
  requests(ad) {
    const num = (name) => {
      const v = valueOf(ad, name);
      return typeof v === "number" ? v : isReal(v) ? v.real : undefined;
    };
    const want = { cpus: num("RequestCpus"), memoryMb: num("RequestMemory"), diskKb: num("RequestDisk") };
    return Object.values(want).every((v) => v !== undefined) ? want : undefined;
  }

  /** Starts one proc as a real process (the job wrapper in its own session). Returns false if it was held instead. */
  start(proc, want, slotNumber) {
    const { ad, run } = proc;
    const slot = `slot1_${slotNumber}@${this.s.host}`;
    const args = ad.Arguments ?? ad.Args ?? "";
    try {
      accessSync(run.cmd, constants.X_OK);
    } catch (error) {
      const errno = { ENOENT: 2, EACCES: 13, ENOTDIR: 20 }[error.code] ?? 2;
      const withArgs = args === "" ? "" : ` with arguments ${args}`;
      this.hold(proc, `Error from ${slot}: Failed to execute '${run.cmd}'${withArgs}: (errno=${errno}: '${strerror(error)}')`, 6, errno);
      return false;
    }
    const outFd = openOutput(run.out);
    if (outFd === undefined) {
      this.hold(proc, `Error from ${slot}: Failed to open '${run.out}' as standard output: No such file or directory (errno 2)`, 7, 2);
      return false;
    }
    let errFd = outFd;
    if (run.err !== run.out) {
      errFd = openOutput(run.err);
      if (errFd === undefined) {
        closeSync(outFd);
        this.hold(proc, `Error from ${slot}: Failed to open '${run.err}' as standard error: No such file or directory (errno 2)`, 7, 2);
        return false;
      }
    }
    const scratch = join(this.s.stateDir, "execute", jobId(ad));
    mkdirSync(scratch, { recursive: true });
    const exitFile = join(scratch, ".exit");
    const jobAdFile = join(scratch, ".job.ad");
    const now = this.now;
    ad.JobStatus = RUNNING;
    ad.EnteredCurrentStatus = now;
    ad.JobStartDate ??= now;
    ad.JobCurrentStartDate = now;
    ad.NumJobStarts += 1;
    ad.JobRunCount += 1;
    ad.RemoteHost = slot;
    writeFileSync(jobAdFile, longAd(ad));
    const env = {
      ...run.environment,
      _CONDOR_SCRATCH_DIR: scratch,
      _CONDOR_SLOT: slot.split("@")[0],
      _CONDOR_JOB_AD: jobAdFile,
      _CONDOR_JOB_IWD: run.iwd,
      BATCH_SYSTEM: "HTCondor",
      OMP_NUM_THREADS: String(want.cpus),
      TMPDIR: scratch,
    };
    let child;
    try {
      child = spawn("/bin/bash", [WRAPPER, exitFile, process.execPath, DISPATCH, emulatorEnv(), ad.TransferExecutable ? "condor_exec.exe" : run.cmd, run.cmd, ...run.argv], {
        detached: true, // setsid(): the job has its own session and process group
        stdio: ["ignore", outFd, errFd],
        cwd: existsSync(run.iwd) ? run.iwd : scratch,
        env,
      });
      child.on("error", () => {});
    } finally {
      closeSync(outFd);
      if (errFd !== outFd) closeSync(errFd);
    }
    if (!child?.pid) {
      this.hold(proc, `Error from ${slot}: Failed to execute '${run.cmd}': (errno=2: 'No such file or directory')`, 6, 2);
      return false;
    }
    child.unref();
    proc.rt = { pid: child.pid, pstart: procStat(child.pid)?.start, exitFile, claimed: want, timers: [] };
    this.event(proc, "001", `Job executing on host: <127.0.0.1:9618?addrs=127.0.0.1-9618&alias=${this.s.host}>`);
    return true;
  }

  /** Asks a running proc's processes to end: SIGTERM now, SIGKILL after the kill timeout. */
  stopProcesses(proc) {
    const rt = proc.rt;
    if (!rt.pid || rt.killAt) return;
    signalGroup(rt.pid, rt.pstart, "SIGTERM");
    rt.killAt = Date.now() + this.s.killTimeout * 1000;
    rt.timers.push(startTimer([this.s.killTimeout + 0.1, 0.5]));
  }

  /** condor_rm of one proc: "success", "already" (being removed). */
  remove(proc, reason) {
    const ad = proc.ad;
    if (ad.JobStatus === REMOVED) return "already";
    ad.JobStatus = REMOVED;
    ad.EnteredCurrentStatus = this.now;
    ad.RemoveReason = reason;
    if (proc.rt.pid) this.stopProcesses(proc);
    else this.leaveQueue(proc, "009", `Job was aborted.\n\t${reason}`);
    return "success";
  }

  /** condor_hold (or a policy) on one proc: "success", "already" (held), "bad" (being removed). */
  hold(proc, reason, code = 1, subcode = 0) {
    const ad = proc.ad;
    if (ad.JobStatus === HELD) return "already";
    if (ad.JobStatus === REMOVED) return "bad";
    ad.JobStatus = HELD;
    ad.EnteredCurrentStatus = this.now;
    ad.HoldReason = reason;
    ad.HoldReasonCode = code;
    ad.HoldReasonSubCode = subcode;
    ad.NumHolds = (ad.NumHolds ?? 0) + 1;
    if (proc.rt.pid) this.stopProcesses(proc);
    this.event(proc, "012", `Job was held.\n\t${reason}\n\tCode ${code} Subcode ${subcode}`);
    return "success";
  }

  /** condor_release of one proc: "success" or "bad" (not held). */
  release(proc, reason) {
    const ad = proc.ad;
    if (ad.JobStatus !== HELD) return "bad";
    ad.LastHoldReason = ad.HoldReason;
    ad.LastHoldReasonCode = ad.HoldReasonCode;
    ad.LastHoldReasonSubCode = ad.HoldReasonSubCode;
    delete ad.HoldReason;
    delete ad.HoldReasonCode;
    delete ad.HoldReasonSubCode;
    ad.ReleaseReason = reason;
    ad.JobStatus = IDLE;
    ad.EnteredCurrentStatus = this.now;
    proc.rt.idleSince = Date.now();
    this.event(proc, "013", `Job was released.\n\t${reason}`);
    return "success";
  }

  /** Appends one event to the job's user log (`log = ...`), in the job event log's text format. */
  event(proc, code, text) {
    const log = proc.ad.UserLog;
    if (!log) return;
    const d = new Date();
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    const stamp = `${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    const id = `${pad(proc.ad.ClusterId, 3)}.${pad(proc.ad.ProcId, 3)}.000`;
    try {
      appendFileSync(log, `${code} (${id}) ${stamp} ${text}\n...\n`);
    } catch {
      // HTCondor would hold the job for an unwritable log; the emulator only loses the event.
    }
  }
}

/** Opens an output file for appending; undefined if its directory does not exist. */
function openOutput(path) {
  try {
    return openSync(path ?? "/dev/null", "a");
  } catch {
    return undefined;
  }
}

/** An ad in the -long format: `Name = value` lines, sorted ignoring case. */
export function longAd(ad) {
  return `${Object.keys(ad)
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
    .map((name) => `${name} = ${formatLongValue(ad[name])}`)
    .join("\n")}\n`;
}

/** A detached timer that runs one turn after each delay (seconds), so that kills and delayed starts happen without a command. */
function startTimer(delays) {
  const child = spawn(
    "/bin/sh",
    ["-c", 'node=$1; turn=$2; settings=$3; shift 3; for delay; do sleep "$delay"; "$node" "$turn" "$settings"; done', "daskq-htcondor-emulator-timer", process.execPath, DISPATCH, emulatorEnv(), ...delays.map(String)],
    { detached: true, stdio: "ignore", env: process.env },
  );
  child.on("error", () => {});
  child.unref();
  return { pid: child.pid, start: procStat(child.pid)?.start };
}
