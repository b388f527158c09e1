// daskq PBS EMULATOR: the "MoM" of one job. Started by qsub as a detached process (its own
// session). It runs the job's tasks (one, or the subjobs of an array, at most max_run_subjobs at
// once) as REAL local processes, each in its own session (setsid(2) through Node's `detached`, so
// that qdel can signal the whole process group), with the PBS environment variables and the job's
// output files; it enforces the walltime, finishes deleted tasks (SIGTERM, then SIGKILL after
// kill_delay), and records how each task ended. It exits when every task has ended.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDir, formatId, jobDir, killGroup, loadJob, settings, streamFile, taskName, writeJsonAtomic } from "./common.mjs";

/** PATH of a batch job that does not export the submitter's environment (a login shell's default). */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const s = settings();
const seq = Number(process.argv[2]);
const job = loadJob(s, seq);
if (!job) process.exit(1);
const dir = jobDir(s, seq);
const pending = job.array ? [...job.array.indices] : [undefined];
const maxRun = job.array?.maxRun ?? Number.POSITIVE_INFINITY;
/** index -> { pid, startedAt, killAt, walltime } */
const running = new Map();

function isDeleted(index) {
  return fs.existsSync(path.join(dir, `${taskName(index)}.delete`));
}

/** Opens an output file; when its directory is missing the file goes to <state>/<flavour>/undelivered. */
function openStream(file) {
  try {
    return fs.openSync(file, "w");
  } catch {
    const undelivered = path.join(s.dir, "undelivered");
    ensureDir(undelivered);
    return fs.openSync(path.join(undelivered, path.basename(file)), "w");
  }
}

function environment(index, tmpdir, nodefile) {
  const subjob = index !== undefined;
  const env = job.exportAll ? { ...job.exportAll } : {};
  env.HOME = job.home;
  env.USER = job.owner;
  env.LOGNAME = job.owner;
  env.SHELL = job.vars.PBS_O_SHELL || "/bin/bash";
  if (!job.exportAll) env.PATH = DEFAULT_PATH;
  if (job.vars.PBS_O_LANG) env.LANG = job.vars.PBS_O_LANG;
  Object.assign(env, job.vars);
  env.PBS_ENVIRONMENT = "PBS_BATCH";
  env.PBS_JOBID = formatId(s, job.seq, subjob ? index : undefined);
  env.PBS_QUEUE = job.queue;
  env.PBS_NODEFILE = nodefile;
  env.PBS_TASKNUM = "1";
  env.TMPDIR = tmpdir;
  if (job.flavour === "pro") {
    env.PBS_JOBNAME = job.name;
    env.PBS_JOBDIR = job.home;
    env.ENVIRONMENT = "BATCH";
    env.NCPUS = String(job.ncpus);
    env.OMP_NUM_THREADS = String(job.ncpus);
    if (subjob) {
      env.PBS_ARRAY_INDEX = String(index);
      env.PBS_ARRAY_ID = formatId(s, job.seq, null);
    }
  } else {
    env.PBS_JOBNAME = subjob ? `${job.name}-${index}` : job.name;
    env.PBS_SERVER = job.server;
    env.PBS_VERSION = `TORQUE-${job.version}`;
    env.PBS_NUM_NODES = "1";
    env.PBS_NUM_PPN = String(job.ncpus);
    env.PBS_NP = String(job.ncpus);
    if (job.initdir) env.PBS_O_INITDIR = job.initdir;
    if (subjob) env.PBS_ARRAYID = String(index);
  }
  return env;
}

function start(index) {
  const task = taskName(index);
  const tmpdir = path.join(dir, `tmp.${task}`);
  ensureDir(tmpdir);
  const nodefile = path.join(dir, `nodes.${task}`);
  fs.writeFileSync(nodefile, `${s.host}\n`.repeat(Math.max(1, job.ncpus)));
  const outFile = streamFile(s, job, "o", index);
  const errFile = streamFile(s, job, "e", index);
  const out = openStream(job.join === "eo" ? errFile : outFile);
  const err = job.join === "n" ? openStream(errFile) : out;
  const closeStreams = () => {
    if (out !== err) fs.closeSync(err);
    fs.closeSync(out);
  };
  const script = path.join(dir, "script");
  const text = fs.readFileSync(script, "utf8");
  const [command, args] = job.shell ? [job.shell, [script]] : text.startsWith("#!") ? [script, []] : ["/bin/sh", [script]];
  const entry = { pid: undefined, startedAt: Date.now(), killAt: undefined, walltime: false };
  running.set(index, entry);
  const child = spawn(command, args, {
    cwd: job.initdir || job.home,
    env: environment(index, tmpdir, nodefile),
    stdio: ["ignore", out, err],
    detached: true,
  });
  child.once("error", (error) => {
    if (entry.pid !== undefined) return;
    // What a shell prints when it cannot run the script; 126/127 as a shell would exit.
    fs.writeSync(err, `${script}: ${error.code === "ENOENT" ? "bad interpreter: No such file or directory" : error.message}\n`);
    closeStreams();
    finish(index, { exit: error.code === "ENOENT" ? 127 : 126 }, tmpdir);
  });
  child.once("spawn", () => {
    closeStreams();
    entry.pid = child.pid;
    writeJsonAtomic(path.join(dir, `${task}.start`), { pid: child.pid, time: entry.startedAt, mom: process.pid });
  });
  child.once("exit", (code, signal) => {
    if (entry.pid === undefined) return;
    // PBS reports a job whose top process was killed by a signal as 256 + the signal (271: SIGTERM).
    const exit = signal ? 256 + (os.constants.signals[signal] ?? 0) : code;
    killGroup(entry.pid, "SIGKILL"); // whatever the job left behind in its session
    if (entry.walltime) {
      const used = Math.round((Date.now() - entry.startedAt) / 1000);
      try {
        fs.appendFileSync(errFile, `=>> PBS: job killed: walltime ${used} exceeded limit ${job.walltimeSeconds}\n`);
      } catch {
        // the stream went to the undelivered directory
      }
    }
    finish(index, { exit, ...(signal ? { signal } : {}), ...(entry.walltime ? { walltime: true } : {}) }, tmpdir);
  });
}

function finish(index, result, tmpdir) {
  running.delete(index);
  writeJsonAtomic(path.join(dir, `${taskName(index)}.end`), { ...result, time: Date.now() });
  fs.rmSync(tmpdir, { recursive: true, force: true });
}

function tick() {
  const now = Date.now();
  if (!fs.existsSync(dir)) {
    // The state directory was removed under us (a test cleaned up): stop everything and go.
    for (const entry of running.values()) if (entry.pid !== undefined) killGroup(entry.pid, "SIGKILL");
    process.exit(0);
  }
  while (running.size < maxRun && pending.length > 0) {
    const index = pending.shift();
    if (!isDeleted(index)) start(index);
  }
  for (const [index, entry] of running) {
    if (entry.pid === undefined) continue;
    if (entry.killAt === undefined) {
      const deleted = isDeleted(index);
      const overWalltime = job.walltimeSeconds > 0 && now - entry.startedAt > job.walltimeSeconds * 1000;
      if (deleted || overWalltime) {
        entry.walltime = !deleted;
        killGroup(entry.pid, "SIGTERM");
        entry.killAt = now + job.killDelaySeconds * 1000;
      }
    } else if (now >= entry.killAt) {
      killGroup(entry.pid, "SIGKILL");
    }
  }
  if (pending.length === 0 && running.size === 0) {
    clearInterval(timer);
    process.exit(0);
  }
}

// The MoM outlives the terminal and the test process that started qsub.
for (const signal of ["SIGHUP", "SIGINT", "SIGPIPE"]) process.on(signal, () => {});
writeJsonAtomic(path.join(dir, "mom.json"), { pid: process.pid, time: Date.now() });
let timer;
setTimeout(() => {
  timer = setInterval(tick, 100);
  tick();
}, job.startDelayMs || 0);
