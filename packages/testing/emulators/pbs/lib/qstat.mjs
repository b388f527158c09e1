// daskq PBS EMULATOR: qstat. Prints the status of emulated jobs in the documented formats:
// PBS Pro/OpenPBS default, `-f` (text), `-f -F json` and `-f -F dsv`, with `-x` (history) and `-t`
// (subjobs); Torque default, `-f` (text, `-1` without line wrapping) and `-x` (XML), with `-t`.
// `--version` prints what each flavour prints. Unknown ids are reported on stderr as the real
// commands report them, and the exit status is the PBS error number's low 8 bits (153).

import {
  PBSE_HISTJOBID,
  PBSE_UNKJOBID,
  allJobs,
  ctime,
  die,
  exitCodeOf,
  expired,
  formatId,
  hms,
  jobTasks,
  loadJob,
  parseJobOperand,
  parseOptions,
  settings,
  streamFile,
} from "./common.mjs";

const OPTIONS = {
  pro: { withValue: "FDuW", flags: "aEfGHiJMnpQqBrstTwx1" },
  torque: { withValue: "uW", flags: "aefGiMnqQBrRstx1l" },
};

const PRO_USAGE = `usage: 
qstat [-f [-F json|dsv] [-D delim]] [-J] [-p] [-t] [-x] [-E] [-w] [job_identifier... | destination...]
qstat [-a|-i|-r|-H|-T] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w] [job_identifier... | destination...]
qstat -Q [-f [-F json|dsv] [-D delim]] [-w] [destination...]
qstat -q [-G|-M] [destination...]
qstat -B [-f [-F json|dsv] [-D delim]] [-w] [server_name...]
qstat --version
`;

const TORQUE_USAGE = `usage: 
qstat [-f [-1]] [-W site_specific] [-x] [ job_identifier... | destination... ]
qstat [-a|-i|-r|-e] [-u user] [-n [-1]] [-s] [-t] [-G|-M] [-R] [job_id... | destination...]
qstat -Q [-f [-1]] [-W site_specific] [ destination... ]
qstat -q [-G|-M] [ destination... ]
qstat -B [-f [-1]] [-W site_specific] [ server_name... ]
qstat -t
`;

// ---------------------------------------------------------------------------------------------
// What one task (job, array parent or subjob) looks like.

/** PBS Pro state letter and substate of a task status (pbs_job_attributes(7B), job.h). */
export function proState(status, subjob) {
  switch (status.phase) {
    case "held":
      return ["H", 20];
    case "queued":
      return ["Q", 10];
    case "running":
      return ["R", 42];
    case "exiting":
      return ["E", 50];
    default: {
      const sub = status.deleted ? 91 : status.exit === 0 ? 92 : 93;
      return [subjob ? "X" : "F", sub];
    }
  }
}

/** Torque state letter (qstat(1B): C E H Q R T W S). */
export function torqueState(status) {
  return { held: "H", queued: "Q", running: "R", exiting: "E", done: "C" }[status.phase];
}

/** The state of an array parent from its subjobs (PBS Pro: Q, B when any subjob began, F when all ended). */
export function parentStatus(job, tasks) {
  const phases = tasks.map(([, t]) => t.phase);
  const counts = {
    Queued: phases.filter((p) => p === "queued" || p === "held").length,
    Running: phases.filter((p) => p === "running").length,
    Exiting: phases.filter((p) => p === "exiting").length,
    Expired: phases.filter((p) => p === "done").length,
  };
  const remaining = tasks.filter(([, t]) => t.phase === "queued" || t.phase === "held").map(([i]) => i);
  const began = tasks.some(([, t]) => t.start !== undefined);
  let letter;
  let substate;
  let exit;
  let endedAt;
  if (counts.Expired === tasks.length) {
    letter = "F";
    substate = tasks.every(([, t]) => t.deleted) ? 91 : 92;
    const exits = tasks.map(([, t]) => t.exit).filter((e) => e !== undefined);
    if (exits.length > 0) exit = exits.some((e) => e < 0) ? 2 : exits.some((e) => e > 0) ? 1 : 0;
    endedAt = Math.max(...tasks.map(([, t]) => t.endedAt ?? 0));
  } else if (began) {
    [letter, substate] = ["B", 42];
  } else if (job.hold) {
    [letter, substate] = ["H", 20];
  } else {
    [letter, substate] = ["Q", 10];
  }
  return { letter, substate, exit, endedAt, counts, remaining, began, done: letter === "F" };
}

/** Compact index ranges: [0,1,2,5] -> "0-2,5". */
function ranges(indices) {
  const parts = [];
  for (let i = 0; i < indices.length; i++) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    parts.push(i === j ? `${indices[i]}` : `${indices[i]}-${indices[j]}`);
    i = j;
  }
  return parts.join(",");
}

function resourceList(job, s) {
  const list = { ...job.resources };
  if (s.flavour === "pro") {
    list.ncpus ??= String(job.ncpus);
    list.nodect ??= "1";
    list.place ??= "pack";
    list.select ??= `1:ncpus=${job.ncpus}${job.resources.mem ? `:mem=${job.resources.mem}` : ""}`;
  } else {
    list.nodect ??= "1";
    list.nodes ??= "1";
  }
  if (job.walltimeSeconds !== undefined) list.walltime = hms(job.walltimeSeconds);
  return Object.fromEntries(Object.entries(list).sort(([a], [b]) => a.localeCompare(b)));
}

function variableList(job, s, index) {
  const vars = { ...job.vars };
  if (s.flavour === "torque" && index !== undefined && index !== null) vars.PBS_ARRAYID = String(index);
  return vars;
}

/**
 * Attributes of one task as PBS Pro prints them with `qstat -f`, in its order. Values are strings,
 * or objects for Resource_List, resources_used and Variable_List. `index`: undefined for a job,
 * null for an array parent, a number for a subjob.
 */
function proAttributes(s, job, index, status, parent, now) {
  const subjob = index !== undefined && index !== null;
  const isParent = index === null;
  const [letter, substate] = isParent ? [parent.letter, parent.substate] : proState(status, subjob);
  const started = isParent ? parent.began : status.start !== undefined;
  const done = isParent ? parent.done : status.phase === "done";
  const startedAt = status?.start?.time;
  const endedAt = isParent ? parent.endedAt : status.endedAt;
  const a = [];
  a.push(["Job_Name", job.name]);
  a.push(["Job_Owner", `${job.owner}@${job.host}`]);
  if (started && !isParent && startedAt !== undefined) {
    const end = done ? endedAt : now;
    a.push(["resources_used", { cpupercent: "0", cput: "00:00:00", mem: "0kb", ncpus: String(job.ncpus), vmem: "0kb", walltime: hms((end - startedAt) / 1000) }]);
  }
  a.push(["job_state", letter]);
  a.push(["queue", job.queue]);
  a.push(["server", job.server]);
  if (job.account !== undefined) a.push(["Account_Name", job.account]);
  a.push(["Checkpoint", "u"]);
  a.push(["ctime", ctime(job.ctime)]);
  a.push(["Error_Path", `${job.host}:${streamFile(s, job, "e", index)}`]);
  if (started && !isParent) {
    a.push(["exec_host", `${job.host}/0${job.ncpus > 1 ? `*${job.ncpus}` : ""}`]);
    a.push(["exec_vnode", `(${job.host}:ncpus=${job.ncpus}${job.resources.mem ? `:mem=${job.resources.mem}` : ""})`]);
  }
  a.push(["Hold_Types", job.hold && letter === "H" ? "u" : "n"]);
  a.push(["Join_Path", job.join]);
  a.push(["Keep_Files", "n"]);
  a.push(["Mail_Points", "a"]);
  a.push(["mtime", ctime(endedAt ?? startedAt ?? job.ctime)]);
  a.push(["Output_Path", `${job.host}:${streamFile(s, job, "o", index)}`]);
  a.push(["Priority", "0"]);
  a.push(["qtime", ctime(job.ctime)]);
  a.push(["Rerunable", job.array ? "True" : "False"]);
  a.push(["Resource_List", resourceList(job, s)]);
  if (started && !isParent && startedAt !== undefined) a.push(["stime", ctime(startedAt)]);
  if (!isParent && (status.phase === "running" || status.phase === "exiting")) a.push(["session_id", String(status.start.pid)]);
  if (started && !isParent) a.push(["jobdir", job.home]);
  a.push(["substate", String(substate)]);
  a.push(["Variable_List", variableList(job, s, index)]);
  const comment = proComment(job, index, status, parent, letter, startedAt);
  if (comment) a.push(["comment", comment]);
  a.push(["etime", ctime(job.ctime)]);
  if (!isParent) a.push(["run_count", started ? "1" : "0"]);
  const exit = isParent ? parent.exit : status.exit;
  if (done && exit !== undefined) a.push(["Exit_status", String(exit)]);
  a.push(["Submit_arguments", job.submitArgs]);
  if (done && endedAt !== undefined) a.push(["history_timestamp", String(Math.floor(endedAt / 1000))]);
  a.push(["project", "_pbs_project_default"]);
  a.push(["Submit_Host", job.host]);
  if (isParent) {
    a.push(["array", "True"]);
    a.push(["array_state_count", Object.entries(parent.counts).map(([k, v]) => `${k}:${v}`).join(" ")]);
    a.push(["array_indices_submitted", job.array.request]);
    a.push(["array_indices_remaining", parent.remaining.length ? ranges(parent.remaining) : "-"]);
    if (job.array.maxRun !== undefined) a.push(["max_run_subjobs", String(job.array.maxRun)]);
  }
  if (subjob) {
    a.push(["array_id", formatId(s, job.seq, null)]);
    a.push(["array_index", String(index)]);
  }
  return a;
}

function proComment(job, index, status, parent, letter, startedAt) {
  const subjob = index !== undefined && index !== null;
  if (index === null) return parent.began ? "Job Array Began" : undefined;
  if (subjob && status.phase === "done") {
    return status.deleted ? "Subjob terminated" : status.exit === 0 ? "Subjob finished" : "Subjob failed";
  }
  if (status.phase === "held") return "job held, user hold";
  if (letter === "Q") return "Not Running: emulator is starting the job";
  if (startedAt === undefined) return status.deleted ? "Job deleted before it ran" : undefined;
  const run = `Job run at ${ctime(startedAt)} on (${job.host}:ncpus=${job.ncpus})`;
  if (status.phase === "running" || status.phase === "exiting") return run;
  if (status.deleted) return `${run} and terminated`;
  if (status.walltimeExceeded) return `${run} and exceeded resource walltime`;
  return `${run} and ${status.exit === 0 ? "finished" : "failed"}`;
}

/** Attributes of one Torque task, in the order of the Torque documentation's `qstat -f` sample. */
function torqueAttributes(s, job, index, status, now) {
  const subjob = index !== undefined && index !== null;
  const started = status.start !== undefined;
  const startedAt = status.start?.time;
  const done = status.phase === "done";
  const a = [];
  a.push(["Job_Name", subjob ? `${job.name}-${index}` : job.name]);
  a.push(["Job_Owner", `${job.owner}@${job.host}`]);
  if (started && startedAt !== undefined) {
    const end = done ? status.endedAt : now;
    a.push(["resources_used", { cput: "00:00:00", energy_used: "0", mem: "0kb", vmem: "0kb", walltime: hms((end - startedAt) / 1000) }]);
  }
  a.push(["job_state", torqueState(status)]);
  a.push(["queue", job.queue]);
  a.push(["server", job.server]);
  if (job.account !== undefined) a.push(["Account_Name", job.account]);
  a.push(["Checkpoint", "u"]);
  a.push(["ctime", ctime(job.ctime)]);
  a.push(["Error_Path", `${job.host}:${streamFile(s, job, "e", subjob ? index : undefined)}`]);
  if (started) a.push(["exec_host", `${job.host}/0${job.ncpus > 1 ? `-${job.ncpus - 1}` : ""}`]);
  a.push(["Hold_Types", status.phase === "held" ? "u" : "n"]);
  a.push(["Join_Path", job.join]);
  a.push(["Keep_Files", "n"]);
  a.push(["Mail_Points", "a"]);
  a.push(["mtime", ctime(status.endedAt ?? startedAt ?? job.ctime)]);
  a.push(["Output_Path", `${job.host}:${streamFile(s, job, "o", subjob ? index : undefined)}`]);
  a.push(["Priority", "0"]);
  a.push(["qtime", ctime(job.ctime)]);
  a.push(["Rerunable", "True"]);
  a.push(["Resource_List", resourceList(job, s)]);
  if (status.phase === "running" || status.phase === "exiting") a.push(["session_id", String(status.start.pid)]);
  if (subjob) {
    a.push(["job_array_request", job.array.request]);
    a.push(["job_array_id", String(index)]);
  }
  a.push(["Variable_List", variableList(job, s, index)]);
  a.push(["euser", job.owner]);
  a.push(["egroup", job.owner]);
  a.push(["queue_type", "E"]);
  a.push(["etime", ctime(job.ctime)]);
  if (done && status.exit !== undefined) a.push(["exit_status", String(status.exit)]);
  a.push(["submit_args", job.submitArgs]);
  if (started && startedAt !== undefined) {
    a.push(["start_time", ctime(startedAt)]);
    a.push(["start_count", "1"]);
  }
  a.push(["fault_tolerant", "False"]);
  if (done && status.endedAt !== undefined) a.push(["comp_time", ctime(status.endedAt)]);
  a.push(["job_radix", "0"]);
  a.push(["submit_host", job.host]);
  return a;
}

// ---------------------------------------------------------------------------------------------
// Output formats.

/** `name = value` lines of `qstat -f`; objects flattened as PBS prints them (`Resource_List.mem`). */
function textLines(attributes) {
  const lines = [];
  for (const [name, value] of attributes) {
    if (typeof value !== "object") lines.push([name, value]);
    else if (name === "Variable_List") lines.push([name, Object.entries(value).map(([k, v]) => `${k}=${v.replaceAll(",", "\\,")}`).join(",")]);
    else for (const [k, v] of Object.entries(value)) lines.push([`${name}.${k}`, v]);
  }
  return lines;
}

/**
 * One `    name = value` line; without `oneLine`, values longer than the line wrap after a comma with
 * a tab-indented continuation (qstat(1B): "Long values wrap ... Continuation lines are indented by a tab").
 */
function wrapAttribute(name, value, oneLine) {
  const first = `    ${name} = `;
  if (oneLine || first.length + value.length <= 78 || !value.includes(",")) return `${first}${value}`;
  const parts = value.split(",");
  const out = [];
  let line = first;
  let width = first.length;
  parts.forEach((part, i) => {
    const piece = i < parts.length - 1 ? `${part},` : part;
    if (width + piece.length > 78 && line.trim() !== "" && line !== first) {
      out.push(line);
      line = "\t";
      width = 8;
    }
    line += piece;
    width += piece.length;
  });
  out.push(line);
  return out.join("\n");
}

function printText(id, attributes, oneLine) {
  const body = textLines(attributes).map(([n, v]) => wrapAttribute(n, v, oneLine));
  process.stdout.write(`Job Id: ${id}\n${body.join("\n")}\n\n`);
}

function printDsv(id, attributes, delimiter) {
  const escape = (v) => String(v).replaceAll(delimiter, `\\${delimiter}`).replaceAll("\n", "\\n");
  const fields = [`Job Id: ${id}`, ...textLines(attributes).map(([n, v]) => `${n} = ${escape(v)}`)];
  process.stdout.write(`${fields.join(delimiter)}\n`);
}

/** A value as `qstat -F json` writes it: parsed as JSON when it is valid JSON, else a string. */
function parsedValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Attribute list -> the JSON object of one job (names kept as strings: Job_Name, Account_Name, project). */
function jsonJob(attributes) {
  const obj = {};
  for (const [name, value] of attributes) {
    if (typeof value === "object") obj[name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, parsedValue(v)]));
    else if (["Job_Name", "Account_Name", "project"].includes(name)) obj[name] = value;
    else obj[name] = parsedValue(value);
  }
  return obj;
}

/** JSON laid out as cJSON_Print lays it out (OpenPBS prints its JSON with cJSON): tabs, `"key":\tvalue`. */
export function cjsonPrint(value, depth = 0) {
  const indent = "\t".repeat(depth + 1);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{\n" + "\t".repeat(depth) + "}";
    const body = entries.map(([k, v]) => `${indent}${JSON.stringify(k)}:\t${cjsonPrint(v, depth + 1)}`).join(",\n");
    return `{\n${body}\n${"\t".repeat(depth)}}`;
  }
  return JSON.stringify(value);
}

function xmlEscape(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]);
}

function xmlJob(id, attributes) {
  let out = `<Job><Job_Id>${xmlEscape(id)}</Job_Id>`;
  for (const [name, value] of attributes) {
    if (typeof value !== "object") out += `<${name}>${xmlEscape(value)}</${name}>`;
    else if (name === "Variable_List") out += `<${name}>${xmlEscape(Object.entries(value).map(([k, v]) => `${k}=${v}`).join(","))}</${name}>`;
    else out += `<${name}>${Object.entries(value).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join("")}</${name}>`;
  }
  return `${out}</Job>`;
}

function truncate(text, width) {
  return text.length > width ? `${text.slice(0, width - 1)}*` : text;
}

// ---------------------------------------------------------------------------------------------

export function main(argv = process.argv.slice(2), env = process.env) {
  const s = settings(env);
  const pro = s.flavour === "pro";
  if (pro && argv.length === 1 && argv[0].toLowerCase() === "--version") {
    process.stdout.write(`pbs_version = ${s.version}\n`);
    process.exit(0);
  }
  if (!pro && argv.includes("--version")) {
    // Torque's qstat prints its version on standard error (src/cmds/qstat.c).
    process.stderr.write(`Version: ${s.version}\nCommit: daskq-pbs-emulator\n`);
    process.exit(0);
  }
  const usage = pro ? PRO_USAGE : TORQUE_USAGE;
  const parsed = parseOptions(argv, OPTIONS[s.flavour], { permute: true });
  if (parsed.error) die(`qstat: ${parsed.error}\n${usage}`, 2);
  const { operands } = parsed;
  const opts = new Map(parsed.options);
  if (opts.has("Q") || opts.has("q") || opts.has("B")) die("qstat: queue and server status (-Q, -q, -B) are not emulated by the daskq PBS emulator", 2);

  const full = opts.has("f");
  const format = pro ? (opts.get("F") ?? "default").toLowerCase() : opts.has("x") ? "xml" : "default";
  if (pro && !["default", "json", "dsv"].includes(format)) die(`qstat: invalid output format ${opts.get("F")}\n${usage}`, 2);
  if (pro && format !== "default" && !full) die(`qstat: -F is only valid with -f\n${usage}`, 2);
  const history = pro ? opts.has("x") || opts.has("H") : true;
  if (pro && history && !s.jobHistory) {
    // job_history_enable is off: the server refuses every -x/-H request with PBSE_JOBHISTNOTSET,
    // whose message qstat prints per operand, and qstat exits 0 (src/cmds/qstat.c).
    const message = "qstat: PBS is not configured to maintain job history";
    for (const operand of operands.length ? operands : [""]) process.stderr.write(`${message}${operand ? ` ${operand}` : ""}\n`);
    if (opts.has("f") && format === "json") process.stdout.write(`${cjsonPrint({ timestamp: Math.floor(Date.now() / 1000), pbs_version: s.version, pbs_server: s.server })}\n`);
    process.exit(0);
  }
  const expandArrays = opts.has("t");
  const oneLine = opts.has("1") || opts.has("w");
  const now = Date.now();

  /** Selected records, in output order: { id, job, index, status, parent }. */
  const records = [];
  const errors = [];
  let exitCode = 0;
  const fail = (message, errno) => {
    if (pro) process.stderr.write(`${message}\n`);
    else errors.push(message);
    if (pro || exitCode === 0) exitCode = exitCodeOf(errno);
  };

  const addJob = (job, { parentToo, subjobs, onlyIndex }) => {
    const tasks = jobTasks(s, job);
    if (!job.array) {
      const [[, status]] = tasks;
      records.push({ id: formatId(s, job.seq, undefined), job, index: undefined, status });
      return;
    }
    const parent = parentStatus(job, tasks);
    if (parentToo) records.push({ id: formatId(s, job.seq, null), job, index: null, status: undefined, parent });
    for (const [i, status] of tasks) {
      if (onlyIndex !== undefined && i !== onlyIndex) continue;
      if (subjobs || onlyIndex !== undefined) records.push({ id: formatId(s, job.seq, i), job, index: i, status, parent });
    }
  };
  const jobExpired = (job) => {
    const tasks = jobTasks(s, job);
    return tasks.every(([, t]) => t.phase === "done") && tasks.every(([, t]) => expired(s, t, now));
  };
  const jobDone = (job) => jobTasks(s, job).every(([, t]) => t.phase === "done");

  if (operands.length === 0) {
    for (const job of allJobs(s)) {
      if (jobExpired(job) || (!history && jobDone(job))) continue;
      if (pro) addJob(job, { parentToo: !(opts.has("J") && expandArrays), subjobs: expandArrays });
      else addJob(job, { parentToo: !expandArrays && !full, subjobs: expandArrays || full });
      if (pro && opts.has("J") && !job.array) records.pop();
    }
  }
  for (const operand of operands) {
    const ref = parseJobOperand(operand);
    if (!ref) {
      // A destination: a queue, `queue@server` or `@server`.
      const queue = operand.split("@")[0];
      if (queue !== "" && !s.queues.includes(queue)) {
        fail(`qstat: Unknown queue destination ${operand}`, 15018);
        continue;
      }
      for (const job of allJobs(s)) {
        if ((queue === "" || job.queue === queue) && !jobExpired(job) && (history || !jobDone(job))) {
          addJob(job, { parentToo: pro || !full, subjobs: expandArrays || (!pro && full) });
        }
      }
      continue;
    }
    const shown = formatId(s, ref.seq, ref.index);
    const job = loadJob(s, ref.seq);
    const isArray = Boolean(job?.array);
    const shapeOk = job && (ref.index === undefined ? !isArray : isArray && (ref.index === null || job.array.indices.includes(ref.index)));
    if (!shapeOk || jobExpired(job)) {
      fail(pro ? `qstat: Unknown Job Id ${shown}` : `qstat: Unknown Job Id Error ${shown}`, PBSE_UNKJOBID);
      continue;
    }
    if (!history) {
      const tasks = jobTasks(s, job);
      const done = ref.index === undefined || ref.index === null ? tasks.every(([, t]) => t.phase === "done") : tasks.find(([i]) => i === ref.index)?.[1].phase === "done";
      if (done) {
        fail(`qstat: ${shown} Job has finished, use -x or -H to obtain historical job information`, PBSE_HISTJOBID);
        continue;
      }
    }
    if (ref.index === undefined) addJob(job, {});
    else if (ref.index === null) addJob(job, pro ? { parentToo: true, subjobs: expandArrays } : { parentToo: !expandArrays && !full, subjobs: expandArrays || full });
    else addJob(job, { onlyIndex: ref.index });
  }

  const attributesOf = (r) => (pro ? proAttributes(s, r.job, r.index, r.status, r.parent, now) : torqueAttributes(s, r.job, r.index, r.status, now));

  if (full && format === "json") {
    const root = { timestamp: Math.floor(now / 1000), pbs_version: s.version, pbs_server: s.server };
    if (records.length > 0) root.Jobs = Object.fromEntries(records.map((r) => [r.id, jsonJob(attributesOf(r))]));
    process.stdout.write(`${cjsonPrint(root)}\n`);
  } else if (full && format === "dsv") {
    for (const r of records) printDsv(r.id, attributesOf(r), opts.get("D") ?? "|");
  } else if (full) {
    for (const r of records) printText(r.id, attributesOf(r), oneLine);
  } else if (format === "xml") {
    process.stdout.write(`<?xml version="1.0"?>\n<Data>${records.map((r) => xmlJob(r.id, torqueAttributes(s, r.job, r.index, r.status ?? summaryStatus(r), now))).join("")}</Data>\n`);
  } else if (records.length > 0) {
    printDefault(s, records, pro);
  }
  for (const message of errors) process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

/** A Torque array summarized as one task (default format without -t). */
function summaryStatus(record) {
  const p = record.parent;
  if (p.done) return { phase: "done", exit: p.exit, endedAt: p.endedAt, deleted: false };
  if (p.counts.Running + p.counts.Exiting > 0) return { phase: "running", start: { time: record.job.ctime, pid: 0 } };
  return { phase: record.job.hold ? "held" : "queued" };
}

function printDefault(s, records, pro) {
  const lines = [];
  if (pro) {
    lines.push("Job id            Name             User              Time Use S Queue");
    lines.push("----------------  ---------------- ----------------  -------- - -----");
  } else {
    lines.push("Job ID                    Name             User            Time Use S Queue");
    lines.push("------------------------- ---------------- --------------- -------- - -----");
  }
  for (const r of records) {
    const subjob = r.index !== undefined && r.index !== null;
    let state;
    let started;
    if (pro) {
      state = r.index === null ? r.parent.letter : proState(r.status, subjob)[0];
      started = r.index === null ? r.parent.began : r.status.start !== undefined;
    } else {
      const status = r.index === null ? summaryStatus(r) : r.status;
      state = torqueState(status);
      started = status.start !== undefined;
    }
    const name = !pro && subjob ? `${r.job.name}-${r.index}` : r.job.name;
    const time = started ? "00:00:00" : "0";
    if (pro) {
      lines.push(`${truncate(r.id, 17).padEnd(17)} ${truncate(name, 16).padEnd(16)} ${truncate(r.job.owner, 16).padEnd(16)}  ${time.padStart(8)} ${state} ${truncate(r.job.queue, 16)}`);
    } else {
      lines.push(`${truncate(r.id, 25).padEnd(25)} ${truncate(name, 16).padEnd(16)} ${truncate(r.job.owner, 15).padEnd(15)} ${time.padStart(8)} ${state} ${r.job.queue}`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
