// HTCONDOR EMULATOR: reads a submit description (condor_submit's input) into job ads, one per
// proc. The language as the HTCondor manual describes it (docs/man-pages/htcondor-jdl.rst and
// docs/users-manual/submitting-a-job.rst, htcondor/htcondor@7491a145): `key = value` commands whose
// keys ignore case, `#` comments, `\` continuation lines, `+Attr = value` and `MY.Attr = value`
// for job ad attributes, $(macro) expansion with $(Cluster)/$(ClusterId)/$(Process)/$(ProcId),
// $ENV(name[:default]) and $F[fpdnxbqa](name), and `queue [N]` statements.

import { accessSync, constants, statSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, resolve } from "node:path";
import { ClassAdSyntaxError, parseAttributeValue } from "./classad.mjs";

/** condor_submit's refusal of a description; `message` is what it prints on stderr (after a blank line). */
export class SubmitError extends Error {}

/** Reads the statements of a submit description: assignments and queue statements, with line numbers. */
export function readStatements(text) {
  const statements = [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    let line = lines[i];
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, "") + lines[++i];
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const queue = /^queue(?:\s+(.*))?$/i.exec(trimmed);
    if (queue) {
      const arg = (queue[1] ?? "").trim();
      if (arg !== "" && !/^\d+$/.test(arg)) {
        throw new SubmitError(`ERROR: on Line ${number} of submit file: the daskq HTCondor emulator supports only "queue [N]", not "${trimmed}"\n`, { cause: number });
      }
      statements.push({ line: number, queue: arg === "" ? 1 : Number(arg) });
      continue;
    }
    const m = /^([+]?[A-Za-z_][A-Za-z0-9_.]*)\s*=\s?(.*)$/.exec(trimmed);
    if (!m) throw new SubmitError(`Error "submit file", Line ${number}: cannot parse: ${trimmed}\n\nERROR: Failed to parse command file (line ${number}).\n`);
    let key = m[1];
    if (key.startsWith("+")) key = `MY.${key.slice(1)}`;
    statements.push({ line: number, key, value: m[2].trim() });
  }
  return statements;
}

/** Case-insensitive submit variables (the "submit hash"). */
class Variables {
  constructor() {
    this.map = new Map();
  }
  set(key, value) {
    this.map.set(key.toLowerCase(), { key, value });
  }
  raw(key) {
    return this.map.get(key.toLowerCase())?.value;
  }
  entries() {
    return [...this.map.values()];
  }
}

/** Expands $(name), $ENV(...) and $F..(...) in `text`; unknown macros expand to nothing. */
export function expand(text, vars, env, depth = 0) {
  if (depth > 20 || !text.includes("$")) return text;
  const out = text.replace(/\$(ENV|F[fpdnxbqauw]*)?\(([^()]*)\)/g, (_all, fn, arg) => {
    if (fn === "ENV") {
      const [name, fallback] = arg.split(/:(.*)/s);
      return env[name] ?? fallback ?? "";
    }
    const value = vars.raw(arg);
    const expanded = value === undefined ? (fn ? arg : "") : expand(value, vars, env, depth + 1);
    return fn ? fileFunction(fn.slice(1), expanded, env) : expanded;
  });
  return out === text ? out : expand(out, vars, env, depth + 1);
}

/** $F[fpdnxbqa](value): the value without its quotes, then the documented path operations. */
function fileFunction(flags, value, env) {
  let v = value.replace(/^"(.*)"$/s, "$1");
  if (flags.includes("f") && !isAbsolute(v)) v = resolve(env.PWD ?? process.cwd(), v);
  const parts = [];
  if (flags.includes("p")) parts.push(dirname(v) === "." ? "" : `${dirname(v)}/`);
  else if (flags.includes("d")) parts.push(dirname(v) === "." ? "" : `${basename(dirname(v))}${flags.includes("b") ? "" : "/"}`);
  if (flags.includes("n")) parts.push(basename(v, extname(v)));
  if (flags.includes("x")) parts.push(flags.includes("b") ? extname(v).slice(1) : extname(v));
  if (/[pdnx]/.test(flags)) v = parts.join("");
  if (flags.includes("q")) v = flags.includes("a") ? `'${v}'` : `"${v}"`;
  return v;
}

/** Splits `arguments` (new syntax when in double quotes, else the old space-separated one). */
export function splitArguments(value) {
  const v = value.trim();
  if (!v.startsWith('"')) return v === "" ? [] : v.split(/\s+/).map((a) => a.replace(/\\"/g, '"'));
  if (!/"\s*$/.test(v) || v.length < 2) throw new SubmitError(`ERROR: Found invalid arguments: ${value}: a double-quoted argument string must end with a double quote\n`);
  return splitQuoted(v.slice(1, v.replace(/\s+$/, "").length - 1), "arguments");
}

/** The new syntax's body: `""` is a quote, words split on white space, '...' groups ('' is a quote). */
function splitQuoted(body, what) {
  const words = [];
  let word = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      if (body[i + 1] !== '"') throw new SubmitError(`ERROR: Found invalid ${what}: a double quote must be doubled inside "..."\n`);
      word = (word ?? "") + '"';
      i++;
    } else if (c === "'") {
      word = word ?? "";
      for (i++; ; i++) {
        if (i >= body.length) throw new SubmitError(`ERROR: Found invalid ${what}: unterminated single quote\n`);
        if (body[i] === "'") {
          if (body[i + 1] === "'") {
            word += "'";
            i++;
          } else break;
        } else if (body[i] === '"' && body[i + 1] === '"') {
          word += '"';
          i++;
        } else word += body[i];
      }
    } else if (c === " " || c === "\t") {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? "") + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** `environment`: the new syntax ("a=1 b='x y'") or the old one (a=1;b=2), as name -> value. */
export function parseEnvironment(value) {
  const v = value.trim();
  const entries = v.startsWith('"') ? splitQuoted(v.replace(/^"|"\s*$/g, ""), "environment") : v.split(";").filter((e) => e !== "");
  const env = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new SubmitError(`ERROR: Found invalid environment entry "${entry}": expected name=value\n`);
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** `getenv`: true, false or a matchlist of (case-insensitive, `*` wildcard, `!` to exclude) names. */
export function importedEnvironment(value, env) {
  const v = value.trim();
  if (/^(false|no|0)?$/i.test(v)) return {};
  const members = /^(true|yes|1)$/i.test(v) ? ["*"] : v.split(/[\s,;]+/).filter(Boolean);
  const toRegex = (m) => new RegExp(`^${m.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
  const take = members.filter((m) => !m.startsWith("!")).map(toRegex);
  const skip = members.filter((m) => m.startsWith("!")).map((m) => toRegex(m.slice(1)));
  const anyTake = take.length > 0 ? take : [/.*/];
  const result = {};
  for (const [name, val] of Object.entries(env)) {
    if (anyTake.some((r) => r.test(name)) && !skip.some((r) => r.test(name))) result[name] = val;
  }
  return result;
}

const UNITS = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * request_memory (base MiB) / request_disk (base KiB): an integer with an optional K, M, G or T
 * unit (B, KB, MiB... accepted) becomes an integer rounded up; anything else stays an expression.
 */
export function parseQuantity(value, base) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(value.trim());
  if (!m) return parseRequest(value);
  const bytes = Number(m[1]) * (m[2] ? UNITS[m[2].toUpperCase()] : base);
  return Math.ceil(bytes / base);
}

function parseRequest(value) {
  try {
    return parseAttributeValue(value);
  } catch (error) {
    if (error instanceof ClassAdSyntaxError) throw new SubmitError(`ERROR: Parse error in expression: \n\t${value}\n`);
    throw error;
  }
}

const truthy = (value) => /^(true|yes|t|y|1)$/i.test((value ?? "").trim());

/**
 * Builds the job ads of one cluster from the statements. `context`: cluster id, submit time
 * (seconds), owner, uid domain, the submitter's cwd and environment, and the `name=value`
 * commands of the command line ("parsed as if placed at the beginning of the submit description").
 * Returns [{ ad, run }] where `run` holds what the emulated starter needs (argv, env, paths).
 */
export function buildJobs(statements, context) {
  const vars = new Variables();
  for (const [key, value] of context.commandLine ?? []) vars.set(key, value);
  const jobs = [];
  let sawQueue = false;
  for (const statement of statements) {
    if (statement.queue === undefined) {
      vars.set(statement.key, statement.value);
      continue;
    }
    sawQueue = true;
    for (let n = 0; n < statement.queue; n++) jobs.push(buildJob(vars, jobs.length, context, statement.line));
  }
  return { jobs, sawQueue };
}

function buildJob(vars, procId, context, queueLine) {
  const env = context.env;
  const local = new Variables();
  for (const { key, value } of vars.entries()) local.set(key, value);
  for (const [k, v] of [["Cluster", context.cluster], ["ClusterId", context.cluster], ["Process", procId], ["ProcId", procId], ["Step", 0], ["Item", ""], ["Row", 0], ["Node", 0]]) {
    if (local.raw(k) === undefined) local.set(k, String(v));
  }
  const get = (...keys) => {
    for (const key of keys) {
      const raw = local.raw(key);
      if (raw !== undefined) return expand(raw, local, env);
    }
    return undefined;
  };
  const universe = (get("universe") ?? "vanilla").toLowerCase();
  if (!["vanilla", "local", "scheduler"].includes(universe)) {
    throw new SubmitError(`ERROR: the daskq HTCondor emulator runs only vanilla, local and scheduler universe jobs, not "${universe}"\n`);
  }
  const iwd = resolve(context.cwd, get("initialdir", "initial_dir", "Iwd") ?? ".");
  const executable = get("executable", "Cmd");
  if (!executable) throw new SubmitError("ERROR: No 'executable' parameter was provided\n");
  const cmd = isAbsolute(executable) ? executable : resolve(iwd, executable);
  const transferExecutable = get("transfer_executable", "TransferExecutable") === undefined || truthy(get("transfer_executable", "TransferExecutable"));
  if (transferExecutable) checkExecutable(cmd);

  const argsRaw = get("arguments", "Args", "Arguments") ?? "";
  const argv = splitArguments(argsRaw);
  const newSyntaxArgs = argsRaw.trim().startsWith('"');
  const envRaw = get("environment", "env", "Environment");
  const jobEnvironment = envRaw === undefined ? {} : parseEnvironment(envRaw);
  const imported = importedEnvironment(get("getenv") ?? "false", env);

  const path = (p) => (p === undefined || p === "" ? undefined : isAbsolute(p) ? p : resolve(iwd, p));
  const out = path(get("output", "Out"));
  const err = path(get("error", "Err"));
  const log = path(get("log", "UserLog"));
  const cpus = get("request_cpus", "RequestCpus");
  const memory = get("request_memory", "RequestMemory");
  const disk = get("request_disk", "RequestDisk");
  const hold = truthy(get("hold"));
  const now = context.submitTime;

  const ad = {
    ClusterId: context.cluster,
    ProcId: procId,
    GlobalJobId: `${context.scheddName}#${context.cluster}.${procId}#${now}`,
    Owner: context.owner,
    User: `${context.owner}@${context.uidDomain}`,
    JobUniverse: { vanilla: 5, scheduler: 7, local: 12 }[universe],
    Cmd: cmd,
    Iwd: iwd,
    Out: out ?? "/dev/null",
    Err: err ?? "/dev/null",
    In: "/dev/null",
    TransferExecutable: transferExecutable,
    RequestCpus: cpus === undefined ? 1 : parseRequest(cpus),
    RequestMemory: memory === undefined ? context.defaults.memoryMb : parseQuantity(memory, 1024 * 1024),
    RequestDisk: disk === undefined ? context.defaults.diskKb : parseQuantity(disk, 1024),
    JobPrio: 0,
    QDate: now,
    EnteredCurrentStatus: now,
    JobStatus: hold ? 5 : 1,
    NumJobStarts: 0,
    JobRunCount: 0,
    LeaveJobInQueue: false,
    ExitBySignal: false,
    CompletionDate: 0,
    JobSubmitMethod: 0,
  };
  if (log) ad.UserLog = log;
  if (newSyntaxArgs) ad.Arguments = argv.map(quoteArgument).join(" ");
  else ad.Args = argsRaw.trim();
  if (envRaw !== undefined) ad.Environment = Object.entries(jobEnvironment).map(([k, v]) => `${k}=${quoteArgument(v)}`).join(" ");
  const batch = context.batchName ?? get("batch_name", "JobBatchName");
  if (batch !== undefined) ad.JobBatchName = batch.replace(/^"(.*)"$/s, "$1");
  if (hold) Object.assign(ad, { HoldReason: "submitted on hold at user's request", HoldReasonCode: 15, HoldReasonSubCode: 0 });
  if (truthy(get("stream_output"))) ad.StreamOut = true;
  if (truthy(get("stream_error"))) ad.StreamErr = true;
  for (const { key } of local.entries()) {
    const m = /^MY\.(.+)$/i.exec(key);
    if (!m) continue;
    const text = expand(local.raw(key), local, env);
    try {
      ad[m[1]] = parseAttributeValue(text);
    } catch (error) {
      if (!(error instanceof ClassAdSyntaxError)) throw error;
      throw new SubmitError(`ERROR: on Line ${queueLine} of submit file: Parse error in expression: \n\t${m[1]} = ${text}\n`);
    }
  }
  const run = { argv, environment: { ...imported, ...jobEnvironment }, out, err, log, iwd, cmd };
  return { ad, run };
}

/** The new argument syntax's quoting of one word (for the Arguments attribute). */
function quoteArgument(word) {
  const doubled = word.replace(/'/g, "''").replace(/"/g, '""');
  return /[\s']/.test(word) || word === "" ? `'${doubled}'` : doubled;
}

/** condor_submit's checks of a transferred executable (submit.cpp check_file). */
function checkExecutable(cmd) {
  let size;
  try {
    size = statSync(cmd).size;
    accessSync(cmd, constants.R_OK);
  } catch (error) {
    throw new SubmitError(`ERROR: Can't access executable file ${cmd}: ${strerror(error)}\n`);
  }
  if (size === 0) throw new SubmitError(`ERROR: Executable file ${cmd} has zero length\n`);
}

/** strerror(3) text of a Node.js file error. */
export function strerror(error) {
  return { ENOENT: "No such file or directory", EACCES: "Permission denied", ENOTDIR: "Not a directory", EISDIR: "Is a directory" }[error?.code] ?? String(error?.message ?? error);
}
