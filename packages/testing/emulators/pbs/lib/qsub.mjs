// daskq PBS EMULATOR: qsub. Parses options and #PBS directives, records the job, starts the
// emulated MoM (a detached local process) unless the job is held, and prints the job id.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  allocateSequence,
  die,
  formatId,
  isSize,
  jobDir,
  parseDuration,
  parseOptions,
  settings,
  splitWords,
  writeJsonAtomic,
} from "./common.mjs";

const MOM = path.join(path.dirname(fileURLToPath(import.meta.url)), "mom.mjs");

/** Options that take a value, and flags, per flavour (from the qsub(1B) synopses). */
const OPTIONS = {
  pro: { withValue: "aAcCeJjklmMNoPpqrRSuvW", flags: "fhIVXz" },
  torque: { withValue: "aAbcCdDeFijKklLmMNoPpqrStTuvwW", flags: "fhInVxXz" },
};

const PRO_USAGE = `usage: qsub [-a date_time] [-A account_string] [-c interval]
	[-C directive_prefix] [-e path] [-f ] [-h ] [-I [-X]] [-j oe|eo] [-J X-Y[:Z]]
	[-k keep] [-l resource_list] [-m mail_options] [-M user_list]
	[-N jobname] [-o path] [-p priority] [-P project] [-q queue] [-r y|n]
	[-R o|e|oe] [-S path] [-u user_list] [-W otherattributes=value...]
	[-v variable_list] [-V ] [-z] [script | -- command [arg1 ...]]
       qsub --version
`;

const TORQUE_USAGE = `usage: qsub [-a date_time] [-A account_string] [-b secs]
      [-c [ none | { enabled | periodic | shutdown |
      depth=<int> | dir=<path> | interval=<minutes>}... ]
      [-C directive_prefix] [-d path] [-D path]
      [-e path] [-h] [-I] [-j oe|eo|n] [-k {oe}] [-K interval] [-l resource_list]
      [-m n|{abe}] [-M user_list] [-N jobname] [-o path] [-p priority]
      [-P proxy_user [-J <jobid]] [-q queue] [-r y|n] [-S path] [-t number_to_submit]
      [-T type]  [-u user_list] [-w] path
      [-W additional_attributes] [-v variable_list] [-V ] [-x] [-X] [-z] [script]
`;

/** Resources each flavour knows (others are rejected as the real server would). */
const PRO_RESOURCES = new Set([
  "select", "place", "walltime", "ncpus", "mem", "vmem", "nodes", "nodect", "ngpus", "host", "arch", "cput",
  "software", "mpiprocs", "ompthreads", "file", "min_walltime", "max_walltime", "preempt_targets", "site", "pmem", "pvmem",
]);
const TORQUE_RESOURCES = new Set([
  "nodes", "walltime", "mem", "pmem", "vmem", "pvmem", "ncpus", "cput", "pcput", "file", "host", "arch", "gres",
  "naccesspolicy", "feature", "procs", "gpus", "nice", "other", "software", "epilogue", "prologue", "opsys",
  "partition", "qos", "trl", "tpn", "mppwidth", "signal",
]);

/** Directive lines of a script: words after the prefix, up to the first executable line. */
function directiveWords(script, prefix) {
  const result = [];
  if (prefix === "") return result;
  const lines = script.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, "");
    const trimmed = line.trim();
    if (n === 0 && trimmed.startsWith("#!")) continue;
    if (trimmed === "") continue;
    if (trimmed.startsWith(prefix) && (trimmed.length === prefix.length || /\s/.test(trimmed[prefix.length]))) {
      const words = splitWords(trimmed.slice(prefix.length));
      if (words === undefined) die(`qsub: unmatched quote in directive: ${trimmed}`, 1);
      result.push(words);
      continue;
    }
    if (trimmed.startsWith("#")) continue;
    break;
  }
  return result;
}

/** Splits a -l value into [name, value] pairs (`a=1,b=2`). */
function resourcePairs(text) {
  return text
    .split(",")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/** Resolves a `[host:]path` option value to an absolute path on this machine. */
function resolvePath(value, cwd) {
  let p = value;
  const colon = p.indexOf(":");
  if (colon > 0 && !p.slice(0, colon).includes("/")) p = p.slice(colon + 1);
  const dir = p.endsWith("/") || isDirectory(path.resolve(cwd, p));
  const abs = path.resolve(cwd, p);
  return { path: abs, dir };
}

function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Parses an array request: Pro `X-Y[:Z][%N]`, Torque `X-Y` or `a,b,c-d` with `%N`. */
function parseArrayRequest(text, flavour) {
  const m = /^([^%]+)(?:%(\d+))?$/.exec(text);
  if (!m) return undefined;
  const maxRun = m[2] === undefined ? undefined : Number(m[2]);
  if (maxRun !== undefined && maxRun < 1) return undefined;
  const indices = [];
  if (flavour === "pro") {
    const r = /^(\d+)-(\d+)(?::(\d+))?$/.exec(m[1]);
    if (!r) return undefined;
    const [first, last, step] = [Number(r[1]), Number(r[2]), Number(r[3] ?? 1)];
    if (last <= first || step < 1) return undefined;
    for (let i = first; i <= last; i += step) indices.push(i);
  } else {
    for (const part of m[1].split(",")) {
      const r = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!r) return undefined;
      const first = Number(r[1]);
      const last = r[2] === undefined ? first : Number(r[2]);
      if (last < first) return undefined;
      for (let i = first; i <= last; i++) indices.push(i);
    }
  }
  const unique = [...new Set(indices)].sort((a, b) => a - b);
  return { request: m[1], indices: unique, maxRun };
}

export function main(argv = process.argv.slice(2), env = process.env) {
  const s = settings(env);
  const pro = s.flavour === "pro";

  if (argv.includes("--version")) {
    if (pro && argv.length === 1) {
      process.stdout.write(`pbs_version = ${s.version}\n`);
      process.exit(0);
    }
    if (!pro) {
      process.stderr.write(`Version: ${s.version}\nCommit: daskq-pbs-emulator\n`);
      process.exit(0);
    }
  }

  const usage = pro ? PRO_USAGE : TORQUE_USAGE;
  const cli = parseOptions(argv, OPTIONS[s.flavour]);
  if (cli.error) die(`qsub: ${cli.error}\n${usage}`, 2);
  if (cli.operands.length > 1) die(usage, 2);

  const cwd = process.cwd();
  let script;
  let scriptName;
  if (cli.operands.length === 1) {
    const file = path.resolve(cwd, cli.operands[0]);
    try {
      if (!fs.statSync(file).isFile()) die("qsub: script not a file", 1);
      script = fs.readFileSync(file, "utf8");
    } catch (error) {
      if (error.code === "ENOENT") die(`qsub: script file:: No such file or directory`, 1);
      throw error;
    }
    scriptName = path.basename(file);
  } else {
    script = fs.readFileSync(0, "utf8");
    scriptName = "STDIN";
  }

  // Command-line options beat directives (per option letter; -l and -v merge per item).
  const cliLetters = new Set(cli.options.map(([l]) => l));
  const prefixOpt = cli.options.findLast(([l]) => l === "C");
  const prefix = prefixOpt ? prefixOpt[1] : env.PBS_DPREFIX || "#PBS";
  const fromDirectives = [];
  for (const words of directiveWords(script, prefix)) {
    const parsed = parseOptions(words, OPTIONS[s.flavour]);
    if (parsed.error) die(`qsub: directive error: ${words.join(" ")}\n${parsed.error}`, 2);
    fromDirectives.push(...parsed.options);
  }
  const opts = [...fromDirectives.filter(([l]) => l === "l" || l === "v" || !cliLetters.has(l)), ...cli.options];
  const last = (letter) => opts.findLast(([l]) => l === letter)?.[1];
  const has = (letter) => opts.some(([l]) => l === letter);

  if (has("I")) die("qsub: interactive jobs (-I) are not emulated by the daskq PBS emulator", 2);

  // Name.
  const name = last("N") ?? scriptName;
  if (name.length === 0 || name.length > 236 || /[\s@:/]/.test(name)) die("qsub: illegal -N value", 2);

  // Queue.
  const queueArg = last("q");
  const queue = queueArg === undefined || queueArg === "" ? s.defaultQueue : queueArg.split("@")[0] || s.defaultQueue;
  if (!s.queues.includes(queue)) die(pro ? "qsub: Unknown queue" : "qsub: submit error (Unknown queue MSG=cannot locate queue)", 1);

  // Resources.
  const known = pro ? PRO_RESOURCES : TORQUE_RESOURCES;
  const resources = {};
  for (const [letter, value] of opts) {
    if (letter !== "l") continue;
    for (const [key, val] of resourcePairs(value)) {
      if (!known.has(key)) {
        die(pro ? `qsub: Unknown resource Resource_List.${key}` : `qsub: submit error (Unknown resource type  Resource_List.${key})`, 1);
      }
      resources[key] = val;
    }
  }
  const bad = (key) =>
    die(pro ? "qsub: illegal -l value" : `qsub: submit error (Illegal attribute or resource value for  Resource_List.${key})`, pro ? 2 : 1);
  let walltimeSeconds;
  if (resources.walltime !== undefined) {
    walltimeSeconds = parseDuration(resources.walltime);
    if (walltimeSeconds === undefined) bad("walltime");
  }
  for (const key of ["mem", "vmem", "pmem", "pvmem"]) if (resources[key] !== undefined && !isSize(resources[key])) bad(key);
  let ncpus = 1;
  if (resources.ncpus !== undefined) {
    if (!/^\d+$/.test(resources.ncpus)) bad("ncpus");
    ncpus = Number(resources.ncpus);
  }
  if (resources.select !== undefined) {
    const chunks = resources.select.split("+");
    ncpus = 0;
    for (const chunk of chunks) {
      const parts = chunk.split(":");
      let count = 1;
      if (/^\d+$/.test(parts[0])) count = Number(parts.shift());
      let chunkCpus = 1;
      for (const part of parts) {
        const [k, v] = part.split("=");
        if (v === undefined) bad("select");
        if (k === "ncpus") {
          if (!/^\d+$/.test(v)) bad("select");
          chunkCpus = Number(v);
        }
        if (k === "mem" && !isSize(v)) bad("select");
      }
      ncpus += count * chunkCpus;
    }
  }
  if (resources.nodes !== undefined) {
    const m = /^(\d+)(?::ppn=(\d+))?/.exec(resources.nodes);
    if (m?.[2]) ncpus = Math.max(ncpus, Number(m[1]) * Number(m[2]));
  }

  // Streams.
  const join = last("j") ?? "n";
  if (!["oe", "eo", "n"].includes(join)) die("qsub: illegal -j value", 2);
  const outputPath = last("o") === undefined ? undefined : resolvePath(last("o"), cwd);
  const errorPath = last("e") === undefined ? undefined : resolvePath(last("e"), cwd);

  // Arrays.
  let array;
  const arrayLetter = pro ? "J" : "t";
  if (has(arrayLetter)) {
    array = parseArrayRequest(last(arrayLetter), s.flavour);
    if (!array) die(pro ? "qsub: illegal -J value" : "qsub: illegal -t value", 2);
    if (array.indices.length > 10_000) die("qsub: Array job exceeds server or queue size limit", 1);
  }

  // Environment.
  const vars = {};
  for (const key of ["HOME", "LANG", "LOGNAME", "PATH", "MAIL", "SHELL", "TZ"]) if (env[key] !== undefined) vars[`PBS_O_${key}`] = env[key];
  vars.PBS_O_WORKDIR = cwd;
  vars.PBS_O_HOST = s.host;
  vars.PBS_O_QUEUE = queue;
  if (pro) vars.PBS_O_SYSTEM = os.type();
  for (const [letter, value] of opts) {
    if (letter !== "v") continue;
    for (const item of value.split(",")) {
      if (item === "") continue;
      const eq = item.indexOf("=");
      if (eq < 0) {
        if (env[item] !== undefined) vars[item] = env[item];
      } else vars[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  const exportAll = has("V") ? { ...env } : undefined;

  // Record the job and start it.
  const seq = allocateSequence(s);
  const dir = jobDir(s, seq);
  const scriptFile = path.join(dir, "script");
  fs.writeFileSync(scriptFile, script, { mode: 0o700 });
  const now = Date.now();
  const job = {
    emulator: "daskq PBS EMULATOR",
    seq,
    id: formatId(s, seq, array ? null : undefined),
    flavour: s.flavour,
    server: s.server,
    name,
    owner: s.user,
    host: s.host,
    home: env.HOME || os.homedir(),
    queue,
    account: last("A"),
    resources,
    ncpus,
    walltimeSeconds,
    join,
    outputPath,
    errorPath,
    hold: has("h"),
    array,
    workdir: cwd,
    initdir: s.flavour === "torque" ? (last("d") ?? last("w")) : undefined,
    shell: last("S"),
    vars,
    exportAll,
    submitArgs: argv.join(" "),
    ctime: now,
    killDelaySeconds: s.killDelaySeconds,
    startDelayMs: s.startDelayMs,
    version: s.version,
  };
  writeJsonAtomic(path.join(dir, "job.json"), job);
  if (!job.hold) startMom(seq, env);
  if (!has("z")) process.stdout.write(`${job.id}\n`);
}

/** Starts the emulated MoM for job `seq` as a detached process in its own session. */
function startMom(seq, env) {
  const child = spawn(process.execPath, [MOM, String(seq)], { detached: true, stdio: "ignore", env });
  child.unref();
}
