// LSF EMULATOR: bjobs. Supports job ids (`123`, `123[4]`, `"123[1-3]"`), -a/-d/-p/-r/-s, -q, -J,
// -u, -w, the default table, -o "fields [delimiter='c']" (or LSB_BJOBS_FORMAT), -noheader and -json.
// Finished jobs stay visible for CLEAN_PERIOD. An unknown id prints `Job <id> is not found` on
// standard error and makes bjobs exit 255.

import { FINISHED, UNFINISHED, elementId, elementName, expandPath, indicesOf, shortTime, withState } from "./engine.mjs";
import { settings } from "./state.mjs";

/** bjobs -o fields: canonical name -> [aliases, value of one element]. */
const FIELDS = {
  jobid: [["id"], (r, s) => (s.displayEnh ? elementId(r.job, r.index) : String(r.job.id))],
  jobindex: [[], (r) => String(r.job.array ? r.index : 0)],
  stat: [[], (r) => r.el.stat],
  user: [[], (r) => r.job.user],
  queue: [[], (r) => r.job.queue],
  job_name: [["name"], (r) => elementName(r.job, r.index)],
  proj_name: [["proj", "project"], (r) => r.job.project],
  exit_code: [[], (r) => (r.el.stat === "EXIT" && r.el.exitCode !== null && r.el.exitCode !== undefined ? String(r.el.exitCode) : "")],
  exit_reason: [[], (r) => (r.el.stat === "EXIT" ? (r.el.exitReason ?? "") : "")],
  pend_reason: [[], (r) => (r.el.stat === "PEND" || r.el.stat === "PSUSP" ? (r.el.pendReason ?? "") : "")],
  from_host: [[], (_r, s) => s.host],
  exec_host: [[], (r, s) => (r.el.start ? s.host : "")],
  submit_time: [[], (r) => shortTime(r.job.submitTime)],
  start_time: [[], (r) => (r.el.start ? shortTime(r.el.start) : "")],
  finish_time: [[], (r) => (r.el.end ? `${shortTime(r.el.end)} L` : "")],
  nreq_slot: [["slots"], (r) => String(r.job.slots)],
  memlimit: [["mem_limit"], (r, s) => (r.job.memlimit ? `${r.job.memlimit.value} ${(r.job.memlimit.unit ?? s.unitForLimits).replace(/B$/, "")}` : "")],
  runtimelimit: [["rtlimit"], (r) => (r.job.runlimit ? `${r.job.runlimit.toFixed(1)}` : "")],
  output_file: [[], (r) => (r.job.out ? expandPath(r.job.out, r.job, r.job.array ? r.index : 0) : "")],
  error_file: [[], (r) => (r.job.err ? expandPath(r.job.err, r.job, r.job.array ? r.index : 0) : "")],
  pids: [[], (r) => (r.el.stat === "RUN" && r.el.pid ? String(r.el.pid) : "")],
};

const ALIASES = new Map(Object.entries(FIELDS).flatMap(([name, [aliases]]) => [[name, name], ...aliases.map((a) => [a, name])]));

class UsageError extends Error {}

export async function main(argv) {
  const s = settings();
  let args;
  try {
    args = parseArgs(argv, s);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 255;
    return;
  }
  const { rows, notFound } = withState((jobs) => select(jobs, args));
  let out = "";
  if (args.json) out = json(rows, args.fields, s);
  else if (rows.length > 0) out = args.fields ? custom(rows, args, s) : table(rows, args, s);
  if (out) process.stdout.write(out);
  for (const id of notFound) process.stderr.write(`Job <${id}> is not found\n`);
  if (args.ids.length === 0 && rows.length === 0 && !args.json) process.stderr.write(`${noJobMessage(args)}\n`);
  if (notFound.length > 0) process.exitCode = 255;
}

function parseArgs(argv, s) {
  const args = { ids: [], json: false, noheader: false, wide: false, states: null, queue: undefined, name: undefined, fields: undefined, delimiter: " " };
  let format;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`bjobs: option requires an argument -- ${word.slice(1)}`);
      return v;
    };
    if (word === "-json") args.json = true;
    else if (word === "-noheader") args.noheader = true;
    else if (word === "-w" || word === "-W") args.wide = true;
    else if (word === "-a") args.states = "all";
    else if (word === "-d") args.states = "done";
    else if (word === "-p") args.states = "pend";
    else if (word === "-r") args.states = "run";
    else if (word === "-s") args.states = "susp";
    else if (word === "-o") format = value();
    else if (word === "-q") args.queue = value();
    else if (word === "-J") args.name = value();
    else if (word === "-u") value(); // every emulated job belongs to the current user
    else if (word.startsWith("-")) throw new UsageError(`bjobs: illegal option -- ${word.slice(1)}\nUsage: bjobs [-a] [-d] [-p] [-r] [-s] [-w] [-noheader] [-o "fields"] [-json] [-q queue] [-J name] [job_ID ...]`);
    else args.ids.push(word);
  }
  if (args.json && !s.json) {
    throw new UsageError(`bjobs: illegal option -- json\nUsage: bjobs [-a] [-d] [-p] [-r] [-s] [-w] [-noheader] [-o "fields"] [-q queue] [-J name] [job_ID ...]`);
  }
  format ??= s.bjobsFormat;
  if (args.json && format === undefined) {
    throw new UsageError("bjobs: You cannot use the -json option when the -o option is not specified or the LSB_BJOBS_FORMAT parameter is not defined.");
  }
  if (args.json && args.noheader) throw new UsageError("bjobs: The -json option cannot be used with the -noheader option.");
  if (format !== undefined) Object.assign(args, parseFormat(format));
  return args;
}

/** `"jobid stat:10 exit_reason:-20 delimiter='^'"` -> field names and the delimiter. */
function parseFormat(format) {
  let delimiter = " ";
  const rest = format.replace(/delimiter=(["'])(.*?)\1/, (_all, _q, d) => {
    delimiter = d;
    return " ";
  });
  const fields = [];
  for (const token of rest.split(/\s+/).filter(Boolean)) {
    const name = ALIASES.get(token.split(":")[0].toLowerCase());
    if (!name) throw new UsageError(`bjobs: ${token.split(":")[0]}: Illegal field name in the output format (the emulator knows ${Object.keys(FIELDS).join(", ")})`);
    fields.push(name);
  }
  if (fields.length === 0) throw new UsageError("bjobs: The output format has no field");
  return { fields, delimiter };
}

const STATE_FILTERS = {
  all: () => true,
  done: (stat) => FINISHED.has(stat),
  pend: (stat) => stat === "PEND" || stat === "PSUSP",
  run: (stat) => stat === "RUN",
  susp: (stat) => stat === "PSUSP" || stat === "USUSP" || stat === "SSUSP",
};

/** The elements to show: by id (any state, until cleaned), else by state (unfinished by default). */
function select(jobs, args) {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const rows = [];
  const seen = new Set();
  const add = (job, index) => {
    const key = `${job.id}[${index}]`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push({ job, index, el: job.elements[index] });
  };
  const keep = (job, index) => {
    const stat = job.elements[index].stat;
    const states = args.states ?? (args.ids.length > 0 ? "all" : null);
    const stateOk = states ? STATE_FILTERS[states](stat) : UNFINISHED.has(stat);
    return stateOk && (!args.queue || job.queue === args.queue) && (!args.name || job.name === args.name || elementName(job, index) === args.name);
  };
  const notFound = [];
  if (args.ids.length === 0) {
    for (const job of jobs) for (const index of indicesOf(job)) if (keep(job, index)) add(job, index);
    return { rows, notFound };
  }
  for (const arg of args.ids) {
    const m = /^(\d+)(?:\[([^\]]+)\])?$/.exec(arg);
    const job = m ? byId.get(Number(m[1])) : undefined;
    if (!job) {
      notFound.push(arg);
      continue;
    }
    let indices = indicesOf(job);
    if (m[2] !== undefined) {
      const wanted = expandIndexList(m[2]);
      indices = job.array ? indices.filter((i) => wanted.has(i)) : [];
      if (indices.length === 0) {
        notFound.push(arg);
        continue;
      }
    }
    for (const index of indices) if (keep(job, index)) add(job, index);
  }
  return { rows, notFound };
}

function expandIndexList(text) {
  const result = new Set();
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const last = m[2] === undefined ? Number(m[1]) : Number(m[2]);
    for (let i = Number(m[1]); i <= last && i - Number(m[1]) < 1_000_000; i += Number(m[3] ?? 1)) result.add(i);
  }
  return result;
}

function noJobMessage(args) {
  const kind = { all: "", done: "done ", pend: "pending ", run: "running ", susp: "suspended " }[args.states ?? ""];
  return `No ${kind ?? "unfinished "}job found`;
}

/**
 * -json: the layout of LSF 10.1's output (two-space indent, no space after the colon, every value a
 * string, JOBS the number of records).
 */
function json(rows, fields, s) {
  const records = rows.map((r) => {
    const lines = fields.map((f) => `      ${JSON.stringify(f.toUpperCase())}:${JSON.stringify(FIELDS[f][1](r, s))}`);
    return `    {\n${lines.join(",\n")}\n    }`;
  });
  return `{\n  "COMMAND":"bjobs",\n  "JOBS":${rows.length},\n  "RECORDS":[\n${records.join(",\n")}${records.length ? "\n" : ""}  ]\n}\n`;
}

/** -o without -json: a header line (unless -noheader), one line per element, `-` for empty values. */
function custom(rows, args, s) {
  const lines = [];
  if (!args.noheader) lines.push(args.fields.map((f) => f.toUpperCase()).join(args.delimiter));
  for (const r of rows) lines.push(args.fields.map((f) => FIELDS[f][1](r, s) || "-").join(args.delimiter));
  return `${lines.join("\n")}\n`;
}

/** The default table. Job names longer than the column keep their end behind a `*` (unless -w). */
function table(rows, args, s) {
  const columns = [
    ["JOBID", 8, (r) => String(r.job.id)],
    ["USER", 8, (r) => r.job.user],
    ["STAT", 6, (r) => r.el.stat],
    ["QUEUE", 11, (r) => r.job.queue],
    ["FROM_HOST", 12, () => s.host],
    ["EXEC_HOST", 12, (r) => (r.el.start ? s.host : "")],
    ["JOB_NAME", 11, (r) => elementName(r.job, r.index)],
    ["SUBMIT_TIME", 0, (r) => shortTime(r.job.submitTime)],
  ];
  const cell = (text, width, name) => {
    if (width === 0) return text;
    let value = text;
    if (!args.wide && name === "JOB_NAME" && value.length > width - 1) value = `*${value.slice(value.length - (width - 2))}`;
    return value.length >= width ? `${value} ` : value.padEnd(width);
  };
  const lines = [];
  if (!args.noheader) lines.push(columns.map(([name, width]) => cell(name, width, "")).join(""));
  for (const r of rows) lines.push(columns.map(([name, width, value]) => cell(value(r), width, name)).join(""));
  return `${lines.join("\n")}\n`;
}
