// daskq PBS EMULATOR: qselect. Lists the ids of the emulated jobs that meet the selection criteria,
// one id a line (what both sources print: `printf("%s\n", selectjob_list[i++])`), nothing when none
// matches, exit 0. Emulated criteria: -N (Job_Name equals), -s (state letters) and -u (every job is
// the user's); PBS Pro's -J, -T and -x too.
//   PBS Pro (doc/man1/qselect.1B, src/cmds/qselect.c): jobs and job arrays (`123[].server`) by
//     default; -T lists jobs and subjobs (`123[4].server`) instead of arrays; -J limits the selection
//     to arrays (with -T: to their subjobs). Finished jobs (F) and subjobs (X) only with -x.
//   Torque (src/cmds/qselect.c; no -J, -T or -x): every job the server holds, completed ones (C)
//     included while it keeps them (keep_completed). A subjob is a job of its own there, named
//     `<name>-<index>`, so -N with the array's name does not select its subjobs. The emulator does
//     not list the array itself (`123[].server`) as a job (its choice; not checked against Torque).

import { allJobs, die, expired, formatId, jobTasks, parseOptions, settings } from "./common.mjs";
import { parentStatus, proState, torqueState } from "./qstat.mjs";

const OPTIONS = {
  pro: { withValue: "aAchlNpqrstuP", flags: "HJTx" },
  torque: { withValue: "aAchlNpqrsu", flags: "e" },
};

const PRO_USAGE = `usage: qselect [-a [op]date_time] [-A account_string] [-c [op]interval]
\t[-h hold_list] [-H] [-J] [-l resource_list] [-N name] [-p [op]priority]
\t[-q destination] [-r y|n] [-s states] [-t subopt[op]date_time] [-T] [-P project_name]
\t[-x] [-u user_name]
       qselect --version
`;

const TORQUE_USAGE = `usage: qselect [-a [op]date_time] [-A account_string] [-e] [-c [op]interval]
                          [-h hold_list] [-l resource_list] [-N name] [-p [op]priority]
                          [-q destination] [-r y|n] [-s states] [-u user_name]
`;

/** The criteria the emulator can apply; the others are refused rather than ignored. */
const EMULATED = new Set(["N", "s", "u", "J", "T", "x"]);

export function main(argv = process.argv.slice(2), env = process.env) {
  const s = settings(env);
  const pro = s.flavour === "pro";
  if (pro && argv.length === 1 && argv[0] === "--version") {
    process.stdout.write(`pbs_version = ${s.version}\n`);
    process.exit(0);
  }
  const usage = pro ? PRO_USAGE : TORQUE_USAGE;
  const parsed = parseOptions(argv, OPTIONS[s.flavour]);
  // qselect takes no operands.
  const error = parsed.error ?? (parsed.operands.length > 0 ? "extra operand" : undefined);
  if (error) die(`qselect: ${error}\n${usage}`, 2);
  const opts = new Map(parsed.options);
  const other = [...opts.keys()].find((letter) => !EMULATED.has(letter));
  if (other) die(`qselect: -${other} is not emulated by the daskq PBS emulator`, 2);
  const name = opts.get("N");
  const states = opts.get("s");
  const now = Date.now();
  const ids = [];
  const keep = (jobName, letter, done, status) => (name === undefined || jobName === name) && (states === undefined || states.includes(letter)) && !(status && expired(s, status, now)) && (!pro || !done || opts.has("x"));
  for (const job of allJobs(s)) {
    const tasks = jobTasks(s, job);
    if (!job.array) {
      const [[, status]] = tasks;
      const letter = pro ? proState(status, false)[0] : torqueState(status);
      if (pro && opts.has("J")) continue;
      if (keep(job.name, letter, status.phase === "done", status)) ids.push(formatId(s, job.seq, undefined));
      continue;
    }
    if (pro && !opts.has("T")) {
      const parent = parentStatus(job, tasks);
      const gone = parent.done && tasks.every(([, t]) => expired(s, t, now));
      if (!gone && keep(job.name, parent.letter, parent.done, undefined)) ids.push(formatId(s, job.seq, null));
      continue;
    }
    for (const [index, status] of tasks) {
      const letter = pro ? proState(status, true)[0] : torqueState(status);
      const taskName = pro ? job.name : `${job.name}-${index}`;
      if (keep(taskName, letter, status.phase === "done", status)) ids.push(formatId(s, job.seq, index));
    }
  }
  if (ids.length > 0) process.stdout.write(`${ids.join("\n")}\n`);
  process.exit(0);
}
