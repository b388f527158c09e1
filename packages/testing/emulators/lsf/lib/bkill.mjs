// LSF EMULATOR: bkill. Takes job ids (`123` = every element, `123[4]`, `"123[1-3]"`) or 0 (all of
// the user's unfinished jobs). A pending or held element ends at once (EXIT); a running one gets
// SIGINT now, SIGTERM and SIGKILL after JOB_TERMINATE_INTERVAL each (to its whole process group),
// and shows RUN until its processes are gone. Messages as LSF prints them:
//   Job <123> is being terminated                 (standard output)
//   Job <123>: Job has already finished           (standard error, exit 255)
//   Job <123>: No matching job found              (standard error, exit 255)

import { FINISHED, indicesOf, killElement, withState } from "./engine.mjs";

export async function main(argv) {
  const ids = [];
  for (const word of argv) {
    if (word.startsWith("-")) {
      process.stderr.write(`bkill: ${word}: option not supported by the daskq LSF emulator\nUsage: bkill [job_ID | "job_ID[index_list]" | 0] ...\n`);
      process.exitCode = 255;
      return;
    }
    ids.push(word);
  }
  if (ids.length === 0) {
    process.stderr.write("bkill: a job ID is required (the emulator does not kill the last job by default)\n");
    process.exitCode = 255;
    return;
  }
  const { out, err } = withState((jobs, _store, s, now) => kill(jobs, ids, s, now));
  if (out.length) process.stdout.write(`${out.join("\n")}\n`);
  if (err.length) {
    process.stderr.write(`${err.join("\n")}\n`);
    process.exitCode = 255;
  }
}

function kill(jobs, ids, s, now) {
  const out = [];
  const err = [];
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const unfinished = (job, index) => !FINISHED.has(job.elements[index].stat);
  for (const arg of ids) {
    if (arg === "0") {
      const live = jobs.filter((job) => indicesOf(job).some((i) => unfinished(job, i)));
      if (live.length === 0) err.push("No unfinished job found");
      for (const job of live) {
        for (const index of indicesOf(job)) if (unfinished(job, index)) killElement(job, index, s, now);
        out.push(`Job <${job.id}> is being terminated`);
      }
      continue;
    }
    const m = /^(\d+)(?:\[([^\]]+)\])?$/.exec(arg);
    const job = m ? byId.get(Number(m[1])) : undefined;
    if (!job) {
      err.push(`Job <${arg}>: No matching job found`);
      continue;
    }
    if (m[2] === undefined) {
      const live = indicesOf(job).filter((i) => unfinished(job, i));
      if (live.length === 0) err.push(`Job <${arg}>: Job has already finished`);
      else {
        for (const index of live) killElement(job, index, s, now);
        out.push(`Job <${arg}> is being terminated`);
      }
      continue;
    }
    const wanted = expand(m[2]);
    const indices = job.array ? indicesOf(job).filter((i) => wanted.has(i)) : [];
    if (indices.length === 0) {
      err.push(`Job <${arg}>: No matching job found`);
      continue;
    }
    for (const index of indices) {
      const name = `${job.id}[${index}]`;
      if (!unfinished(job, index)) err.push(`Job <${name}>: Job has already finished`);
      else {
        killElement(job, index, s, now);
        out.push(`Job <${name}> is being terminated`);
      }
    }
  }
  return { out, err };
}

function expand(list) {
  const result = new Set();
  for (const part of list.split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= last && i - first < 1_000_000; i += Number(m[3] ?? 1)) result.add(i);
  }
  return result;
}
