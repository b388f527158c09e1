// LSF EMULATOR: the emulated mbatchd/sbatchd. Every command runs one "turn" under the state lock:
// finished elements are recorded (from the exit files the job wrapper writes, or because the
// wrapper is gone), kill and run-limit escalations are carried out, pending elements are started
// as real local processes, and jobs finished longer than CLEAN_PERIOD ago are forgotten.

import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Store, alive, appendQuietly, procStat, settings, signalGroup, withLock } from "./state.mjs";

const WRAPPER = fileURLToPath(new URL("./job-wrapper.sh", import.meta.url));
const DISPATCH = fileURLToPath(new URL("./dispatch.mjs", import.meta.url));

/** Where withState keeps a job's record as read, to save only jobs that changed (a symbol: not serialized). */
const SAVED = Symbol("saved");

export const UNFINISHED = new Set(["PEND", "PSUSP", "RUN", "USUSP", "SSUSP"]);
export const FINISHED = new Set(["DONE", "EXIT"]);

export const REASON_OWNER = "TERM_OWNER: job killed by owner";
export const REASON_RUNLIMIT = "TERM_RUNLIMIT: job killed after reaching LSF run time limit";
export const PEND_NEW = "New job is waiting for scheduling";
export const PEND_HELD = "The job was suspended by the user while pending";
export const PEND_ARRAY_LIMIT = "The job array has reached its job slot limit";

/** Element keys of a job in index order ("0" for a job that is not an array). */
export function indicesOf(job) {
  return Object.keys(job.elements)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The id of one element as LSF writes it: `123` or `123[4]`. */
export function elementId(job, index) {
  return job.array ? `${job.id}[${index}]` : String(job.id);
}

/** The job name of one element: array elements are `name[index]`. */
export function elementName(job, index) {
  return job.array ? `${job.name}[${index}]` : job.name;
}

/** Expands %J (job id) and %I (array index, 0 for a job that is not an array) in an -o/-e path. */
export function expandPath(pattern, job, index) {
  const path = pattern.replace(/%J/g, String(job.id)).replace(/%I/g, String(job.array ? index : 0));
  return isAbsolute(path) ? path : resolve(job.cwd, path);
}

/**
 * Runs `fn(jobs, store, s, now)` in one turn, holding the lock: reconcile before, dispatch and
 * clean up after, then saves every job whose record changed. Returns what `fn` returns.
 */
export function withState(fn = () => undefined) {
  const s = settings();
  return withLock(s.stateDir, () => {
    const store = new Store(s.stateDir);
    const now = Date.now();
    const jobs = [];
    for (const job of store.list()) {
      const before = JSON.stringify(job);
      reconcile(job, store, s, now);
      if (isCleanable(job, s, now)) store.remove(job.id);
      else {
        jobs.push(job);
        job[SAVED] = before;
      }
    }
    const result = fn(jobs, store, s, now);
    const after = Date.now();
    for (const job of jobs) {
      reconcile(job, store, s, after);
      dispatch(job, store, s, after);
      const before = job[SAVED];
      delete job[SAVED];
      if (before !== JSON.stringify(job)) store.save(job);
    }
    return result;
  });
}

function isCleanable(job, s, now) {
  const elements = Object.values(job.elements);
  if (elements.length === 0 || !elements.every((el) => FINISHED.has(el.stat))) return false;
  const ended = Math.max(...elements.map((el) => el.end ?? 0));
  return now - ended > s.cleanPeriod * 1000;
}

/** Records ended elements and carries out pending signals of running ones. */
function reconcile(job, store, s, now) {
  for (const index of indicesOf(job)) {
    const el = job.elements[index];
    if (el.stat !== "RUN") continue;
    const exitFile = join(store.jobDir(job.id), `${index}.exit`);
    let code;
    try {
      code = Number(readFileSync(exitFile, "utf8").trim());
    } catch {
      code = undefined;
    }
    if (code !== undefined && Number.isInteger(code)) {
      finish(job, index, code, store, s, now);
      continue;
    }
    if (!alive(el.pid, el.pstart)) {
      // The wrapper died without recording an exit code: it was killed with its job.
      finish(job, index, null, store, s, now);
      continue;
    }
    if (el.kill) {
      const waited = (now - el.kill) / 1000;
      if (!el.termSent && waited >= s.terminateInterval) {
        signalGroup(el.pid, el.pstart, "SIGTERM");
        el.termSent = true;
      }
      if (!el.killSent && waited >= 2 * s.terminateInterval) {
        signalGroup(el.pid, el.pstart, "SIGKILL");
        el.killSent = true;
      }
    }
    if (job.runlimit && !el.limitSent && now - el.start >= job.runlimit * s.minute * 1000) {
      el.limitSent = now;
      signalGroup(el.pid, el.pstart, "SIGUSR2");
      el.timers.push(startTimer([s.runlimitGrace, 1]));
    }
    if (el.limitSent && !el.killSent && now - el.limitSent >= s.runlimitGrace * 1000) {
      signalGroup(el.pid, el.pstart, "SIGKILL");
      el.killSent = true;
    }
  }
}

/** Marks an element DONE or EXIT, appends LSF's job report to its output, stops its timers. */
function finish(job, index, code, store, s, now) {
  const el = job.elements[index];
  el.end = now;
  const killed = Boolean(el.kill);
  const limited = Boolean(el.limitSent);
  if (code === 0 && !killed && !limited) {
    el.stat = "DONE";
    el.exitCode = 0;
    el.exitReason = "";
  } else {
    el.stat = "EXIT";
    el.exitCode = code === null || code === 0 ? null : code;
    el.exitReason = limited ? REASON_RUNLIMIT : killed ? REASON_OWNER : "";
  }
  for (const timer of el.timers ?? []) signalGroup(timer.pid, timer.start, "SIGKILL");
  el.timers = [];
  rmSync(join(store.jobDir(job.id), `${index}.exit`), { force: true });
  if (el.outPath) appendQuietly(el.outPath, jobReport(job, index, s));
}

/** Starts pending elements (array elements only while the array's %k slot limit allows). */
function dispatch(job, store, s, now) {
  let running = Object.values(job.elements).filter((el) => el.stat === "RUN").length;
  for (const index of indicesOf(job)) {
    const el = job.elements[index];
    if (el.stat !== "PEND") continue;
    if (job.limit && running >= job.limit) {
      el.pendReason = PEND_ARRAY_LIMIT;
      continue;
    }
    startElement(job, index, store, s, now);
    if (job.elements[index].stat === "RUN") running++;
  }
}

/** Opens an output file for appending (or overwriting); undefined if LSF could not write it. */
function openOutput(path, overwrite) {
  try {
    if (!existsSync(dirname(path))) return undefined;
    return openSync(path, overwrite ? "w" : "a");
  } catch {
    return undefined;
  }
}

/** Starts one element as a real process: the job wrapper in its own session, output to -o/-e. */
function startElement(job, index, store, s, now) {
  const el = job.elements[index];
  const lsfIndex = job.array ? index : 0;
  const dir = store.jobDir(job.id);
  const exitFile = join(dir, `${index}.exit`);
  rmSync(exitFile, { force: true });

  const outPath = job.out ? expandPath(job.out, job, lsfIndex) : undefined;
  const errPath = job.err ? expandPath(job.err, job, lsfIndex) : undefined;
  let outFd = outPath ? openOutput(outPath, job.outOverwrite) : undefined;
  // "If the specified output_file path is not accessible, the output will not be stored" in it: LSF mails it.
  const mail = outFd === undefined ? store.mailFile(job.id, lsfIndex) : undefined;
  if (mail) outFd = openSync(mail, "a");
  let errFd = outFd;
  if (errPath && errPath !== outPath) errFd = openOutput(errPath, job.errOverwrite) ?? outFd;
  el.outPath = mail ?? outPath;

  const cwd = existsSync(job.cwd) ? job.cwd : "/tmp";
  const env = {
    ...job.env,
    LSB_JOBID: String(job.id),
    LSB_JOBINDEX: String(lsfIndex),
    LSB_JOBNAME: elementName(job, index),
    LSB_QUEUE: job.queue,
    LSB_HOSTS: Array.from({ length: job.slots }, () => s.host).join(" "),
    LSB_MCPU_HOSTS: `${s.host} ${job.slots}`,
    LSB_DJOB_NUMPROC: String(job.slots),
    LSB_MAX_NUM_PROCESSORS: String(job.slots),
    LSB_PROJECT_NAME: job.project,
    LSB_JOBFILENAME: join(dir, "script"),
    LS_SUBCWD: job.cwd,
    LSB_OUTPUTFILE: outPath ?? "",
    LSB_ERRORFILE: errPath ?? outPath ?? "",
  };
  if (job.array) {
    env.LSB_JOBINDEX_END = String(Math.max(...job.array));
  }

  let child;
  try {
    child = spawn("bash", [WRAPPER, exitFile, join(dir, "script"), process.execPath, DISPATCH], {
      detached: true, // setsid(): the job gets its own session and process group
      stdio: ["ignore", outFd, errFd],
      cwd,
      env,
    });
    child.on("error", () => {});
  } catch {
    child = undefined;
  } finally {
    closeSync(outFd);
    if (errFd !== outFd) closeSync(errFd);
  }
  const pid = child?.pid;
  el.start = now;
  el.pendReason = undefined;
  el.timers = [];
  if (!pid) {
    el.stat = "EXIT";
    el.end = now;
    el.exitCode = 127;
    el.exitReason = "";
    return;
  }
  child.unref();
  el.stat = "RUN";
  el.pid = pid;
  el.pstart = procStat(pid)?.start;
  if (job.runlimit) el.timers.push(startTimer([job.runlimit * s.minute, 0.2]));
}

/**
 * A detached timer that runs one dispatch turn after each delay (seconds), so that escalations
 * (SIGTERM/SIGKILL after bkill, run limits) happen even when no command runs. Returns its pid.
 */
export function startTimer(delays) {
  const child = spawn(
    "sh",
    ["-c", 'node=$1; turn=$2; shift 2; for delay; do sleep "$delay"; "$node" "$turn"; done', "daskq-lsf-emulator-timer", process.execPath, DISPATCH, ...delays.map(String)],
    { detached: true, stdio: "ignore", env: process.env },
  );
  child.on("error", () => {});
  child.unref();
  return { pid: child.pid, start: procStat(child.pid)?.start };
}

/** Asks a running element to end like bkill does: SIGINT now, SIGTERM and SIGKILL later. */
export function killElement(job, index, s, now) {
  const el = job.elements[index];
  if (el.stat === "PEND" || el.stat === "PSUSP") {
    el.stat = "EXIT";
    el.end = now;
    el.exitCode = null;
    el.exitReason = REASON_OWNER;
    el.pendReason = undefined;
    return true;
  }
  if (el.stat !== "RUN" && el.stat !== "USUSP" && el.stat !== "SSUSP") return false;
  if (!el.kill) {
    el.kill = now;
    signalGroup(el.pid, el.pstart, "SIGINT");
    (el.timers ??= []).push(startTimer([s.terminateInterval, s.terminateInterval, 0.5]));
  }
  return true;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n, width = 2, fill = "0") => String(n).padStart(width, fill);

/** `Dec 28 19:56`, as bjobs prints times. */
export function shortTime(ms) {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${pad(d.getDate(), 2, " ")} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `Mon Jun  3 10:00:00 2024`, as the job report prints times. */
function longTime(ms) {
  const d = new Date(ms);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate(), 2, " ")} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

/** The job report LSF appends to the output file (abridged: no resource usage, no script echo). */
function jobReport(job, index, s) {
  const el = job.elements[index];
  const done = el.stat === "DONE";
  const name = elementName(job, index);
  const result = done
    ? "Successfully completed."
    : el.exitCode !== null && el.exitCode !== undefined
      ? `Exited with exit code ${el.exitCode}.`
      : `Exited with signal termination.${el.exitReason ? ` (${el.exitReason})` : ""}`;
  return [
    "",
    "------------------------------------------------------------",
    `Sender: LSF System <${s.user}@${s.host}>`,
    `Subject: Job ${elementId(job, index)}: <${name}> in cluster <${s.cluster}> ${done ? "Done" : "Exited"}`,
    "",
    `Job <${name}> was submitted from host <${s.host}> by user <${s.user}> in cluster <${s.cluster}> at ${longTime(job.submitTime)}`,
    `Job was executed on host(s) <${s.host}>, in queue <${job.queue}>, as user <${s.user}> in cluster <${s.cluster}> at ${longTime(el.start)}`,
    `<${job.cwd}> was used as the working directory.`,
    `Started at ${longTime(el.start)}`,
    `Terminated at ${longTime(el.end)}`,
    "",
    result,
    "",
  ].join("\n");
}
