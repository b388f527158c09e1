// LSF EMULATOR: bsub. Reads the job script from standard input (`bsub < script`) or runs a command
// (`bsub [options] command [args]`; a script given that way has its #BSUB lines parsed only with
// LSB_BSUB_PARSE_SCRIPT=Y in lsf.conf, as in LSF). Command-line options beat #BSUB lines. Prints
// `Job <id> is submitted to [default ]queue <name>.` and starts the job at once.

import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { PEND_HELD, PEND_NEW, withState } from "./engine.mjs";
import { SubmitError, parseJobName, parseMemLimit, parseOptions, parseRunLimit, parseSlots, readDirectives } from "./options.mjs";
import { settings } from "./state.mjs";

export async function main(argv) {
  const s = settings();
  try {
    const { options: cli, command } = parseOptions(argv);
    if (cli.get("-V")) {
      process.stderr.write("IBM Spectrum LSF 10.1.0.0 (daskq LSF emulator: bsub, bjobs, bkill only)\n");
      return;
    }
    if (cli.get("-h")) {
      process.stdout.write("Usage: bsub [options] command [arguments]\n       bsub [options] < job_script\n");
      return;
    }
    const { script, directives, defaultName } = jobScript(command, s);
    const fromScript = parseOptions(directives, { allowCommand: false }).options;
    const options = new Map([...fromScript, ...cli]); // the command line overrides #BSUB lines
    const job = makeJob(options, defaultName, s);
    const id = withState((jobs, store, _s, now) => {
      const created = { ...job, id: store.nextId(), submitTime: now };
      store.create(created, script);
      jobs.push(created);
      return created.id;
    });
    process.stdout.write(`Job <${id}> is submitted to ${options.has("-q") ? "" : "default "}queue <${job.queue}>.\n`);
  } catch (error) {
    if (!(error instanceof SubmitError)) throw error;
    process.stderr.write(`${error.message}. Job not submitted.\n`);
    process.exitCode = 255;
  }
}

/** The job script, its #BSUB words, and the job name LSF shows when there is no -J. */
function jobScript(command, s) {
  if (command.length === 0) {
    let script = "";
    try {
      script = readFileSync(0, "utf8");
    } catch {
      script = "";
    }
    if (script.trim() === "") throw new SubmitError("No command is specified in the job script");
    const first = script.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#BSUB")) ?? "";
    return { script, directives: readDirectives(script, { wholeScript: false }), defaultName: first.trim() };
  }
  if (s.parseScript && command.length === 1 && isTextFile(command[0])) {
    const script = readFileSync(command[0], "utf8");
    return { script, directives: readDirectives(script, { wholeScript: true }), defaultName: command[0] };
  }
  // A command: LSF runs it through a Bourne shell, as given.
  const line = command.join(" ");
  return { script: `#!/bin/sh\n${line}\n`, directives: [], defaultName: line };
}

function isTextFile(path) {
  try {
    if (!statSync(path).isFile()) return false;
    return !readFileSync(path).subarray(0, 4096).includes(0);
  } catch {
    return false;
  }
}

/** Validates the options and builds the job record (without id), with every element pending or held. */
function makeJob(options, defaultName, s) {
  const queue = options.get("-q") ?? s.defaultQueue;
  if (!s.queues.includes(queue)) throw new SubmitError(`${queue}: No such queue`);
  const { name, array, limit } = options.has("-J") ? parseJobName(options.get("-J"), s.maxArraySize) : { name: defaultName, array: null, limit: null };
  const hold = options.get("-H") === true;
  const elements = {};
  for (const index of array ?? [0]) {
    elements[index] = { stat: hold ? "PSUSP" : "PEND", pendReason: hold ? PEND_HELD : PEND_NEW, timers: [] };
  }
  const out = options.get("-oo") ?? options.get("-o");
  const err = options.get("-eo") ?? options.get("-e");
  return {
    name,
    array,
    limit,
    queue,
    project: options.get("-P") ?? "default",
    slots: options.has("-n") ? parseSlots(options.get("-n")) : 1,
    resreq: options.get("-R") ?? [],
    memlimit: options.has("-M") ? parseMemLimit(options.get("-M")) : null,
    runlimit: options.has("-W") ? parseRunLimit(options.get("-W")) : null,
    out: out ?? null,
    outOverwrite: options.has("-oo"),
    err: err ?? null,
    errOverwrite: options.has("-eo"),
    hold,
    cwd: options.has("-cwd") ? resolve(options.get("-cwd")) : process.cwd(),
    env: { ...process.env },
    user: s.user,
    elements,
  };
}
