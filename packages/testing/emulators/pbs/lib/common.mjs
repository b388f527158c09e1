// daskq PBS EMULATOR: shared state and helpers of the emulated qsub, qstat and qdel.
//
// This is NOT PBS. It imitates the command-line surface of PBS Pro/OpenPBS and Torque closely enough
// to test daskq's PBS backend: jobs run as real local processes, and the commands print the
// documented output formats. See ../README.md for what is emulated and what is not.
//
// State lives in $DASKQ_PBS_EMULATOR_STATE (default /tmp/daskq-pbs-emulator), one directory per
// flavour, one directory per job. Every file is written by exactly one party, atomically (write to a
// temporary name, then rename), so concurrent commands never see half a file and never need a lock:
//
//   <state>/<flavour>/jobs/<seq>/job.json     the submission (written once by qsub)
//   <state>/<flavour>/jobs/<seq>/script       the job script (written once by qsub)
//   <state>/<flavour>/jobs/<seq>/<task>.start the task started: pid, time (written by the MoM)
//   <state>/<flavour>/jobs/<seq>/<task>.end   the task ended: exit status, time (written by the MoM)
//   <state>/<flavour>/jobs/<seq>/<task>.delete qdel was asked to delete the task (written by qdel)
//
// <task> is `job` for a job that is not an array, else the subjob index. Job sequence numbers are
// allocated with mkdir, which is atomic: concurrent qsub calls always get distinct ids.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Flavours the emulator can play. */
export const FLAVOURS = ["pro", "torque"];

/** Reads the emulator settings from the environment. */
export function settings(env = process.env) {
  const flavour = String(env.DASKQ_PBS_EMULATOR_FLAVOUR || "pro").toLowerCase();
  if (!FLAVOURS.includes(flavour)) {
    process.stderr.write(`daskq PBS emulator: DASKQ_PBS_EMULATOR_FLAVOUR must be one of ${FLAVOURS.join(", ")}, not ${flavour}\n`);
    process.exit(2);
  }
  const root = env.DASKQ_PBS_EMULATOR_STATE || path.join(os.tmpdir(), "daskq-pbs-emulator");
  const dir = path.join(root, flavour);
  const defaultQueue = flavour === "pro" ? "workq" : "batch";
  const queues = (env.DASKQ_PBS_EMULATOR_QUEUES || defaultQueue)
    .split(",")
    .map((q) => q.trim())
    .filter(Boolean);
  return {
    flavour,
    root,
    dir,
    jobsDir: path.join(dir, "jobs"),
    server: env.DASKQ_PBS_EMULATOR_SERVER || "emulator",
    version: env.DASKQ_PBS_EMULATOR_VERSION || (flavour === "pro" ? "22.05.11" : "6.1.3"),
    queues,
    defaultQueue: queues[0] || defaultQueue,
    /** PBS Pro's job_history_enable: off, `qstat -x` is refused and finished jobs vanish at once. */
    jobHistory: flavour !== "pro" || String(env.DASKQ_PBS_EMULATOR_JOB_HISTORY ?? "true").toLowerCase() !== "false",
    /** Seconds a finished job stays visible (PBS Pro job_history_duration, Torque keep_completed). */
    historySeconds: flavour === "pro" && String(env.DASKQ_PBS_EMULATOR_JOB_HISTORY ?? "true").toLowerCase() === "false" ? 0 : numberSetting(env.DASKQ_PBS_EMULATOR_HISTORY, 3600),
    /** Seconds between SIGTERM and SIGKILL when a running job is deleted (PBS kill_delay). */
    killDelaySeconds: numberSetting(env.DASKQ_PBS_EMULATOR_KILL_DELAY, 2),
    /** Milliseconds a job stays queued before it starts (0: at once). */
    startDelayMs: numberSetting(env.DASKQ_PBS_EMULATOR_START_DELAY_MS, 0),
    host: os.hostname(),
    user: safeUser(),
  };
}

function numberSetting(text, fallback) {
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function safeUser() {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || "user";
  }
}

// ---------------------------------------------------------------------------------------------
// Job ids: `<seq>.<server>`, arrays `<seq>[].<server>`, subjobs `<seq>[<index>].<server>`.

/** Parses a job id operand; undefined if it is not one. `index` is null for `123[]`. */
export function parseJobOperand(text) {
  const m = /^(\d+)(?:\[(\d*)\])?(?:\.(.+))?$/.exec(String(text));
  if (!m) return undefined;
  const index = m[2] === undefined ? undefined : m[2] === "" ? null : Number(m[2]);
  return { seq: Number(m[1]), index, server: m[3] };
}

/** Formats an id; `index` undefined: a job, null: an array, a number: a subjob. */
export function formatId(s, seq, index) {
  const bracket = index === undefined ? "" : index === null ? "[]" : `[${index}]`;
  return `${seq}${bracket}.${s.server}`;
}

/** The task name of a subjob index (undefined: the job itself). */
export function taskName(index) {
  return index === undefined || index === null ? "job" : String(index);
}

// ---------------------------------------------------------------------------------------------
// Files.

export function ensureDir(dir) {
  fs.mkdirSync(dir, { recursive: true });
}

/** Writes JSON atomically: a temporary file in the same directory, then rename. */
export function writeJsonAtomic(file, value) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  fs.renameSync(tmp, file);
}

/** Reads a JSON file; undefined when it does not exist (or is not complete JSON). */
export function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

export function jobDir(s, seq) {
  return path.join(s.jobsDir, String(seq));
}

/** Allocates the next sequence number by creating its directory (atomic, so unique). */
export function allocateSequence(s) {
  ensureDir(s.jobsDir);
  let next = highestSequence(s) + 1;
  for (let attempt = 0; attempt < 10_000; attempt++, next++) {
    try {
      fs.mkdirSync(jobDir(s, next));
      return next;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
  }
  throw new Error("could not allocate a job sequence number");
}

function highestSequence(s) {
  let max = 0;
  for (const name of safeReaddir(s.jobsDir)) if (/^\d+$/.test(name)) max = Math.max(max, Number(name));
  return max;
}

export function safeReaddir(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** All job records, in sequence order. */
export function allJobs(s) {
  return safeReaddir(s.jobsDir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b)
    .map((seq) => loadJob(s, seq))
    .filter(Boolean);
}

/** A job record, or undefined when there is none (or its history was deleted with `qdel -x`). */
export function loadJob(s, seq) {
  const dir = jobDir(s, seq);
  if (fs.existsSync(path.join(dir, "purged"))) return undefined;
  return readJson(path.join(dir, "job.json"));
}

export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Sends a signal to a whole process group; false if it no longer exists. */
export function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Derived state of one task (a job, or one subjob of an array).
//
// phase: held | queued | running | exiting | done
// done tasks carry `exit` (undefined when deleted before they ran), `deleted`, `endedAt`.

export function taskStatus(s, job, index) {
  const dir = jobDir(s, job.seq);
  const task = taskName(index);
  const start = readJson(path.join(dir, `${task}.start`));
  const endFile = path.join(dir, `${task}.end`);
  let end = readJson(endFile);
  const del = readJson(path.join(dir, `${task}.delete`));
  const deleted = Boolean(del);
  // The MoM writes .end and then exits: a MoM found dead may have written it after the first read.
  if (!end && start && !isAlive(start.pid)) end = readJson(endFile);
  if (end) {
    return { phase: "done", start, end, deleted, exit: end.exit, endedAt: end.time, walltimeExceeded: Boolean(end.walltime) };
  }
  if (start) {
    if (!isAlive(start.pid)) {
      // The MoM vanished without recording the end (it was killed): report what PBS reports for a job
      // whose execution failed before it could be tracked.
      return { phase: "done", start, deleted, exit: -1, endedAt: start.time, vanished: true };
    }
    return { phase: deleted ? "exiting" : "running", start, deleted };
  }
  if (deleted) return { phase: "done", deleted: true, exit: undefined, endedAt: del.time };
  return { phase: job.hold ? "held" : "queued", deleted: false };
}

/** Whether a done task is past the history window (then it is unknown, as if purged). */
export function expired(s, status, now = Date.now()) {
  return status.phase === "done" && now - (status.endedAt ?? now) > s.historySeconds * 1000;
}

/** Statuses of all tasks of a job: [[index, status]], index undefined for a plain job. */
export function jobTasks(s, job) {
  if (!job.array) return [[undefined, taskStatus(s, job, undefined)]];
  return job.array.indices.map((i) => [i, taskStatus(s, job, i)]);
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers shared by the commands.

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A time as ctime(3) prints it, without the newline: `Fri Nov 11 17:57:05 2016`. */
export function ctime(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

/** Seconds as `HH:MM:SS`. */
export function hms(seconds) {
  const t = Math.max(0, Math.floor(seconds));
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(t / 3600))}:${pad(Math.floor((t % 3600) / 60))}:${pad(t % 60)}`;
}

/** Parses a PBS duration `[[HH:]MM:]SS[.ms]`; undefined if it is not one. */
export function parseDuration(text) {
  const m = /^(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.\d+)?$/.exec(String(text).trim());
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
}

/** Whether text is a PBS size: an integer with an optional b/w/kb/kw/mb/mw/gb/gw/tb/tw/pb/pw suffix. */
export function isSize(text) {
  return /^\d+([kmgtp]?[bw]?)?$/i.test(String(text).trim());
}

/**
 * Splits a directive line the way a shell would split words: blanks separate words, single and
 * double quotes group, backslash escapes. Returns undefined for an unmatched quote.
 */
export function splitWords(text) {
  const words = [];
  let word = "";
  let inWord = false;
  let quote;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += c;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === "\\" && i + 1 < text.length) word += text[++i];
      else word += c;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}

/**
 * getopt(3)-style parsing of a command's words, the one option parser of qdel, qselect, qstat and
 * qsub: a letter of `spec.withValue` takes a value (attached, `-Nname`, or the next word), letters
 * of `spec.flags` take none and may be grouped (`-xf`), `--` ends the options. Options stop at the
 * first operand (POSIX getopt, as qdel, qselect and qsub parse), or with `permute` operands and
 * options may come in any order (GNU getopt, as qstat parses).
 *
 * Returns { options: [[letter, value], ...] in command-line order, operands } or { error } with
 * getopt's own message (`invalid option -- 'Z'`, `option requires an argument -- 'N'`).
 */
export function parseOptions(words, spec, { permute = false } = {}) {
  const options = [];
  const operands = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      operands.push(...words.slice(i + 1));
      break;
    }
    if (!w.startsWith("-") || w === "-") {
      if (!permute) {
        operands.push(...words.slice(i));
        break;
      }
      operands.push(w);
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const letter = w[j];
      if (spec.withValue.includes(letter)) {
        let value = w.slice(j + 1);
        if (value === "") {
          if (i + 1 >= words.length) return { error: `option requires an argument -- '${letter}'` };
          value = words[++i];
        }
        options.push([letter, value]);
        break;
      } else if (spec.flags.includes(letter)) {
        options.push([letter, ""]);
      } else {
        return { error: `invalid option -- '${letter}'` };
      }
    }
  }
  return { options, operands };
}

/** Writes to stderr and exits with `code`. */
export function die(message, code) {
  process.stderr.write(message.endsWith("\n") ? message : `${message}\n`);
  process.exit(code);
}

/**
 * Exit status a PBS command returns for a PBS error number: the server's code (e.g. 15001,
 * PBSE_UNKJOBID) passed to exit(3), of which the shell sees the low 8 bits (15001 -> 153).
 */
export function exitCodeOf(pbsErrno) {
  return pbsErrno & 0xff;
}

export const PBSE_UNKJOBID = 15001;
export const PBSE_BADSTATE = 15016;
export const PBSE_HISTJOBID = 15139;
export const PBSE_NOHISTARRAYSUBJOB = 15159;

/**
 * The file one stream of a task goes to, as each flavour names it.
 * PBS Pro (qsub(1B) -o/-e): default `<job name>.o<sequence number>` in the submission directory
 * (subjobs `.<index>` appended); a path without a file name (a directory) gets `<job ID>.OU` /
 * `<job ID>.ER`; `^array_index^` in a path is replaced by the subjob index.
 * Torque (server add_std_filename and job cloning): default and directory paths get
 * `<job name>.o<sequence number>`; a subjob's path gets `-<index>` appended.
 */
export function streamFile(s, job, kind, index) {
  const spec = kind === "o" ? job.outputPath : job.errorPath;
  const subjob = index !== undefined && index !== null;
  if (job.flavour === "pro") {
    const suffix = subjob ? `.${index}` : index === null && job.array ? ".^array_index^" : "";
    if (!spec) return path.join(job.workdir, `${job.name}.${kind}${job.seq}${suffix}`);
    if (spec.dir) return path.join(spec.path, `${formatId(s, job.seq, subjob ? index : job.array ? null : undefined)}.${kind === "o" ? "OU" : "ER"}`);
    return subjob ? spec.path.replaceAll("^array_index^", String(index)) : spec.path;
  }
  const base = !spec
    ? path.join(job.workdir, `${job.name}.${kind}${job.seq}`)
    : spec.dir
      ? path.join(spec.path, `${job.name}.${kind}${job.seq}`)
      : spec.path;
  return subjob ? `${base}-${index}` : base;
}
