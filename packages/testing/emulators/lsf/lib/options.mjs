// LSF EMULATOR: bsub's options, from the command line and from #BSUB lines.

/** A submission the emulator cannot take; printed as `<message>. Job not submitted.` (exit 255). */
export class SubmitError extends Error {}

/** bsub options that take a value. Options the emulator does not model are accepted and ignored. */
const WITH_VALUE = new Set([
  "-J", "-q", "-P", "-n", "-R", "-M", "-W", "-o", "-oo", "-e", "-eo", "-cwd", "-w", "-G", "-g", "-app", "-sla",
  "-m", "-b", "-t", "-c", "-D", "-S", "-C", "-F", "-v", "-i", "-is", "-u", "-E", "-Ep", "-L", "-We", "-Jd", "-gpu",
  "-a", "-k", "-f", "-T", "-U", "-ext", "-jsdl", "-mig", "-sp", "-s", "-env", "-hl", "-rnc", "-stage", "-data",
  "-datagrp", "-wa", "-wt", "-Lp", "-Q", "-cn_cu", "-cn_mem", "-core_isolation", "-csm", "-freq", "-nnodes",
]);

/** bsub options without a value. */
const FLAGS = new Set(["-H", "-x", "-B", "-N", "-r", "-rn", "-K", "-ul", "-h", "-V", "-ar", "-Zs", "-tty", "-XF"]);

/** Interactive jobs cannot be emulated. */
const INTERACTIVE = /^-I[psSX]*$/;

/**
 * Parses bsub options: `-opt value` pairs and flags, up to the first word that is not an option
 * (the command). `-R` may repeat. Returns `{ options: Map, command: string[] }`.
 */
export function parseOptions(words, { allowCommand = true } = {}) {
  const options = new Map();
  let i = 0;
  for (; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith("-") || word === "-") break;
    if (INTERACTIVE.test(word)) throw new SubmitError(`${word}: Interactive jobs are not supported by the daskq LSF emulator`);
    if (FLAGS.has(word)) {
      options.set(word, true);
    } else if (WITH_VALUE.has(word)) {
      const value = words[++i];
      if (value === undefined) throw new SubmitError(`${word}: option requires an argument`);
      if (word === "-R") options.set("-R", [...(options.get("-R") ?? []), value]);
      else options.set(word, value);
    } else {
      throw new SubmitError(`${word}: Illegal option`);
    }
  }
  const command = words.slice(i);
  if (!allowCommand && command.length > 0) throw new SubmitError(`${command[0]}: Bad #BSUB directive`);
  return { options, command };
}

/**
 * Splits one #BSUB line (without the prefix) into words: blanks separate words, single and double
 * quotes group (and are removed), an unquoted # starts a comment.
 */
export function splitDirective(text) {
  const words = [];
  let word = "";
  let inWord = false;
  let quote;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "#") {
      break;
    } else {
      inWord = true;
      if (c === '"' || c === "'") quote = c;
      else word += c;
    }
  }
  if (quote) throw new SubmitError(`${text.trim()}: Unmatched quotation mark in a #BSUB directive`);
  if (inWord) words.push(word);
  return words;
}

/**
 * The words of the #BSUB lines of a script. With `wholeScript` (a script given as an argument and
 * parsed because LSB_BSUB_PARSE_SCRIPT=Y), #BSUB lines anywhere count, as in IBM's example; for a
 * script on standard input reading stops at the first command.
 */
export function readDirectives(script, { wholeScript }) {
  const words = [];
  const lines = script.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || (n === 0 && line.startsWith("#!"))) continue;
    if (line.startsWith("#BSUB")) {
      if (/^#BSUB(\s|$)/.test(line)) words.push(...splitDirective(line.slice(5)));
      continue;
    }
    if (line.startsWith("#")) continue;
    if (!wholeScript) break;
  }
  return words;
}

/** Parses an array index list `1-10:2,15` into sorted unique indices. */
export function parseIndexList(text, maxArraySize) {
  const indices = new Set();
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)(?:-(\d+)(?::(\d+))?)?\s*$/.exec(part);
    if (!m) throw new SubmitError(`${text}: Bad job array index list`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (first < 1 || last < first || step < 1) throw new SubmitError(`${text}: Bad job array index list`);
    if (last > maxArraySize) throw new SubmitError(`${text}: Job array index too large (MAX_JOB_ARRAY_SIZE is ${maxArraySize})`);
    for (let i = first; i <= last; i += step) indices.add(i);
  }
  return [...indices].sort((a, b) => a - b);
}

/** `-J name`, or `-J "name[index_list]%limit"` for a job array. */
export function parseJobName(spec, maxArraySize) {
  const m = /^([^[\]]*)\[([^\]]*)\](?:%(\d+))?$/.exec(spec);
  if (!m) {
    if (/[[\]]/.test(spec)) throw new SubmitError(`${spec}: Bad job name`);
    return { name: spec, array: null, limit: null };
  }
  const limit = m[3] === undefined ? null : Number(m[3]);
  if (limit !== null && limit < 1) throw new SubmitError(`${spec}: Bad job array slot limit`);
  return { name: m[1], array: parseIndexList(m[2], maxArraySize), limit };
}

/** `-W [hour:]minute[/host]` in minutes. */
export function parseRunLimit(text) {
  const m = /^(?:(\d+):)?(\d+)(?:\/\S+)?$/.exec(text);
  if (!m) throw new SubmitError(`${text}: Bad RUNLIMIT specification`);
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2]);
  if (minutes < 1) throw new SubmitError(`${text}: Bad RUNLIMIT specification`);
  return minutes;
}

/** `-n min[,max]`: the number of slots (tasks) the job asks for. */
export function parseSlots(text) {
  const m = /^(\d+)(?:,(\d+))?$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new SubmitError(`${text}: Bad argument for option -n`);
  return Number(m[1]);
}

/** `-M limit[unit][!]`, in the unit of LSF_UNIT_FOR_LIMITS unless a unit is given. */
export function parseMemLimit(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTPEZ]B?)?(!)?$/i.exec(text);
  if (!m || Number(m[1]) <= 0) throw new SubmitError(`${text}: Bad memory limit specification`);
  return { value: Number(m[1]), unit: m[2] ? m[2].toUpperCase().replace(/^([KMGTPEZ])$/, "$1B") : undefined, hard: Boolean(m[3]) };
}
