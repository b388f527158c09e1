// daskq PBS EMULATOR: qdel. Deletes emulated jobs: a queued or held task simply ends (deleted); a
// running task's process group gets SIGTERM at once and SIGKILL after kill_delay (the MoM sends it).
// Unknown and finished ids give the messages and exit statuses of the real commands:
//   PBS Pro (src/cmds/qdel.c, pbs_messages.c): "qdel: Unknown Job Id <id>" (15001 -> exit 153),
//     "qdel: Job has finished <id>" (15139 -> 35), "qdel: Request invalid for finished array subjob
//     <id>" (15159 -> 55), "qdel: Request invalid for state of job <id>" (15016 -> 168).
//   Torque (src/cmds/qdel.c, svr_chk_owner.c): "qdel: nonexistent job id: <id>" (exit 153),
//     "qdel: invalid state for job - COMPLETE <id>" (exit 168).

import fs from "node:fs";
import path from "node:path";
import {
  PBSE_BADSTATE,
  PBSE_HISTJOBID,
  PBSE_NOHISTARRAYSUBJOB,
  PBSE_UNKJOBID,
  allJobs,
  die,
  exitCodeOf,
  expired,
  formatId,
  jobDir,
  jobTasks,
  killGroup,
  loadJob,
  parseJobOperand,
  parseOptions,
  settings,
  taskName,
  writeJsonAtomic,
} from "./common.mjs";

const OPTIONS = {
  pro: { withValue: "W", flags: "x" },
  torque: { withValue: "bmtW", flags: "acp" },
};

const PRO_USAGE = "usage: qdel [-W force|suppress_email=X] [-x] job_identifier...\n       qdel --version\n";
const TORQUE_USAGE = "usage: qdel [{ -a | -c | -p | -t | -W delay | -m message}] <JOBID>[ <JOBID>]|'all'|'ALL'...\n";

/** Marks a task deleted and signals it if it runs; the MoM sends SIGKILL after kill_delay. */
function deleteTask(s, job, index, status) {
  const file = path.join(jobDir(s, job.seq), `${taskName(index)}.delete`);
  if (!fs.existsSync(file)) writeJsonAtomic(file, { time: Date.now() });
  const pid = status.start?.pid ?? readStartPid(s, job, index);
  if (pid) killGroup(pid, "SIGTERM");
}

/** The pid of a task that started after its status was read (qsub's MoM and qdel race). */
function readStartPid(s, job, index) {
  try {
    return JSON.parse(fs.readFileSync(path.join(jobDir(s, job.seq), `${taskName(index)}.start`), "utf8")).pid;
  } catch {
    return undefined;
  }
}

export function main(argv = process.argv.slice(2), env = process.env) {
  const s = settings(env);
  const pro = s.flavour === "pro";
  if (pro && argv.length === 1 && argv[0] === "--version") {
    process.stdout.write(`pbs_version = ${s.version}\n`);
    process.exit(0);
  }
  const usage = pro ? PRO_USAGE : TORQUE_USAGE;
  const parsed = parseOptions(argv, OPTIONS[s.flavour]);
  if (parsed.error) die(`qdel: ${parsed.error}\n${usage}`, 2);
  const { operands } = parsed;
  const opts = new Map(parsed.options);
  if (operands.length === 0) die(usage, 2);
  const now = Date.now();
  const force = pro && opts.get("W") === "force";

  let lastCode = 0;
  let firstCode = 0;
  const fail = (message, errno) => {
    process.stderr.write(`${message}\n`);
    lastCode = errno;
    if (firstCode === 0) firstCode = errno;
  };

  let targets = operands;
  if (!pro && operands.some((o) => o.toLowerCase() === "all")) {
    targets = allJobs(s).map((job) => formatId(s, job.seq, job.array ? null : undefined));
  }

  for (const operand of targets) {
    const ref = parseJobOperand(operand);
    if (!ref) {
      process.stderr.write(`qdel: illegally formed job identifier: ${operand}\n`);
      if (!pro) process.exit(1);
      lastCode = 1;
      if (firstCode === 0) firstCode = 1;
      continue;
    }
    const shown = formatId(s, ref.seq, ref.index);
    const job = loadJob(s, ref.seq);
    const isArray = Boolean(job?.array);
    const shapeOk = job && (ref.index === undefined ? !isArray : isArray && (ref.index === null || job.array.indices.includes(ref.index)));
    const tasks = shapeOk ? jobTasks(s, job) : [];
    const allExpired = tasks.length > 0 && tasks.every(([, t]) => expired(s, t, now));
    if (!shapeOk || allExpired) {
      fail(pro ? `qdel: Unknown Job Id ${shown}` : `qdel: nonexistent job id: ${operand}`, PBSE_UNKJOBID);
      continue;
    }
    let selected = tasks;
    if (ref.index !== undefined && ref.index !== null) selected = tasks.filter(([i]) => i === ref.index);
    else if (!pro && opts.has("t") && ref.index === null) {
      const wanted = new Set(expandRange(opts.get("t")));
      selected = tasks.filter(([i]) => wanted.has(i));
    }
    const subjob = ref.index !== undefined && ref.index !== null;
    const allDone = selected.every(([, t]) => t.phase === "done");
    if (allDone) {
      if (pro && opts.has("x") && !subjob) {
        fs.writeFileSync(path.join(jobDir(s, job.seq), "purged"), "");
        continue;
      }
      if (pro) fail(subjob ? `qdel: Request invalid for finished array subjob ${shown}` : `qdel: Job has finished ${shown}`, subjob ? PBSE_NOHISTARRAYSUBJOB : PBSE_HISTJOBID);
      else fail(`qdel: invalid state for job - COMPLETE ${shown}`, PBSE_BADSTATE);
      continue;
    }
    if (!force && selected.length === 1 && selected[0][1].phase === "exiting") {
      fail(pro ? `qdel: Request invalid for state of job ${shown}` : `qdel: invalid state for job - EXITING ${shown}`, PBSE_BADSTATE);
      continue;
    }
    for (const [index, status] of selected) if (status.phase !== "done") deleteTask(s, job, index, status);
  }
  // PBS Pro exits with the last failure; Torque with the last one, or else the first one.
  const code = pro ? lastCode : lastCode || firstCode;
  process.exit(exitCodeOf(code));
}

function expandRange(text) {
  const out = [];
  for (const part of String(text).split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.push(i);
  }
  return out;
}
