// LSF EMULATOR: settings, process helpers, the state lock and the job store.
//
// The emulator keeps the cluster's state in a directory (DASKQ_LSF_EMULATOR_STATE, default
// /tmp/daskq-lsf-emulator): one directory per job with its record (job.json), its spooled script
// and the exit files its elements write. Every command takes one lock (an atomic mkdir) for its
// whole read-modify-write, so concurrent bsub/bjobs/bkill calls see a consistent cluster.

import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";

/** Reads a non-negative number of seconds from the environment. */
function seconds(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * lsf.conf as KEY -> value, read from $LSF_ENVDIR/lsf.conf (LSF's own lookup; /etc when unset).
 * Comments (#) and surrounding quotes are dropped; the last assignment of a key wins.
 */
export function readLsfConf(env = process.env) {
  const result = new Map();
  let text;
  try {
    text = readFileSync(join(env.LSF_ENVDIR || "/etc", "lsf.conf"), "utf8");
  } catch {
    return result;
  }
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m) result.set(m[1], m[2].replace(/^(["'])(.*)\1$/, "$2").trim());
  }
  return result;
}

const yes = (value) => /^y(es)?$/i.test(value ?? "");

/** The emulated cluster's configuration: environment knobs plus lsf.conf. */
export function settings(env = process.env) {
  const conf = readLsfConf(env);
  const queues = (env.DASKQ_LSF_EMULATOR_QUEUES || "normal").split(/[\s,]+/).filter(Boolean);
  return {
    stateDir: env.DASKQ_LSF_EMULATOR_STATE || "/tmp/daskq-lsf-emulator",
    queues,
    defaultQueue: queues[0] ?? "normal",
    // lsb.params CLEAN_PERIOD: how long finished jobs stay visible (LSF default 3600 s).
    cleanPeriod: seconds("DASKQ_LSF_EMULATOR_CLEAN_PERIOD", 3600),
    // lsb.params JOB_TERMINATE_INTERVAL: time between bkill's SIGINT, SIGTERM and SIGKILL (LSF default 10 s).
    terminateInterval: seconds("DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL", 10),
    // bsub -W: SIGUSR2 at the run limit, SIGKILL "if it does not terminate within ten minutes".
    runlimitGrace: seconds("DASKQ_LSF_EMULATOR_RUNLIMIT_GRACE", 600),
    // Seconds per minute of -W, so that tests can reach a run limit quickly.
    minute: seconds("DASKQ_LSF_EMULATOR_MINUTE", 60),
    // lsb.params MAX_JOB_ARRAY_SIZE (LSF default 1000).
    maxArraySize: seconds("DASKQ_LSF_EMULATOR_MAX_ARRAY_SIZE", 1000),
    // bjobs -json exists from LSF 10.1.0.2 on; 0 emulates an older LSF.
    json: env.DASKQ_LSF_EMULATOR_JSON !== "0",
    parseScript: yes(conf.get("LSB_BSUB_PARSE_SCRIPT")),
    displayEnh: yes(conf.get("LSB_BJOBS_DISPLAY_ENH")),
    bjobsFormat: env.LSB_BJOBS_FORMAT || conf.get("LSB_BJOBS_FORMAT") || undefined,
    unitForLimits: (conf.get("LSF_UNIT_FOR_LIMITS") || "KB").toUpperCase(),
    cluster: "daskq_emulator",
    host: hostname().split(".")[0] || "localhost",
    user: safeUser(),
  };
}

function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || "user";
  }
}

/** `/proc/<pid>/stat`: the state letter and the start time (clock ticks after boot), or undefined. */
export function procStat(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0], start: rest[19] };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live (non-zombie) process that started at `start` (so a reused pid does not count). */
export function alive(pid, start) {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== "Z" && (start === undefined || stat.start === start);
}

/** Sends `signal` to the process group `pgid` if its leader is still the process we started. */
export function signalGroup(pgid, start, signal) {
  if (!alive(pgid, start)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Runs `fn` holding the state lock: `mkdir <state>/lock` is atomic, the holder writes its pid and
 * start time into it, and a lock whose holder died is broken.
 */
export function withLock(stateDir, fn) {
  mkdirSync(stateDir, { recursive: true });
  const lock = join(stateDir, "lock");
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const owner = readOwner(lock);
    const stale = owner ? !alive(owner.pid, owner.start) : ageMs(lock) > 10_000;
    if (stale) {
      const again = readOwner(lock);
      if (again?.pid === owner?.pid) {
        try {
          renameSync(lock, `${lock}.stale.${process.pid}`);
          rmSync(`${lock}.stale.${process.pid}`, { recursive: true, force: true });
        } catch {
          // Someone else broke it first.
        }
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the emulator state ${stateDir} stayed locked for 60 s (held by pid ${owner?.pid ?? "?"})`);
    sleepMs(3 + Math.floor(Math.random() * 7));
  }
  try {
    writeFileSync(join(lock, "owner"), `${process.pid} ${procStat(process.pid)?.start ?? ""}`);
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readOwner(lock) {
  try {
    const [pid, start] = readFileSync(join(lock, "owner"), "utf8").trim().split(" ");
    return { pid: Number(pid), start: start || undefined };
  } catch {
    return undefined;
  }
}

function ageMs(path) {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Writes a file atomically (temp file + rename). */
export function writeAtomic(path, content, mode = 0o600) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

/** Appends text to a file, ignoring failures (like LSF, which then mails the output instead). */
export function appendQuietly(path, text) {
  try {
    const fd = openSync(path, "a");
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}

/** Job records on disk. Call only while holding the lock. */
export class Store {
  constructor(stateDir) {
    this.dir = stateDir;
    this.jobsDir = join(stateDir, "jobs");
    this.mailDir = join(stateDir, "mail");
    mkdirSync(this.jobsDir, { recursive: true });
  }

  jobDir(id) {
    return join(this.jobsDir, String(id));
  }

  /** The next job id (1, 2, ...), kept in <state>/seq. */
  nextId() {
    const seq = join(this.dir, "seq");
    let last = 0;
    try {
      last = Number(readFileSync(seq, "utf8").trim()) || 0;
    } catch {
      // First job.
    }
    const id = last + 1;
    writeAtomic(seq, `${id}\n`);
    return id;
  }

  /** Every job record, by id. */
  list() {
    const jobs = [];
    let entries = [];
    try {
      entries = readdirSync(this.jobsDir);
    } catch {
      return jobs;
    }
    for (const name of entries) {
      if (!/^\d+$/.test(name)) continue;
      try {
        jobs.push(JSON.parse(readFileSync(join(this.jobsDir, name, "job.json"), "utf8")));
      } catch {
        // A job directory being created or removed by a crashed command: not a job.
      }
    }
    return jobs.sort((a, b) => a.id - b.id);
  }

  /** Creates a job's directory with its spooled script (executable, like LSF's job file). */
  create(job, script) {
    const dir = this.jobDir(job.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "script"), script, { mode: 0o700 });
    this.save(job);
  }

  save(job) {
    writeAtomic(join(this.jobDir(job.id), "job.json"), `${JSON.stringify(job)}\n`);
  }

  remove(id) {
    rmSync(this.jobDir(id), { recursive: true, force: true });
  }

  /** Where output goes that has no -o file (LSF would mail it to the user). */
  mailFile(id, index) {
    mkdirSync(this.mailDir, { recursive: true });
    return join(this.mailDir, index ? `${id}.${index}` : String(id));
  }
}
