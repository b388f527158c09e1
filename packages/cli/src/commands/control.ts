import { createInterface } from "node:readline";
import { DaskqError } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { parseCommandArgs } from "../cli-options.js";
import { consoleLogger } from "../console-logger.js";
import { ControlSession, describeError, UsageError } from "../control/control-session.js";
import { CONTROL_PROTOCOL_VERSION, daskqVersion, type ControlCommand } from "../control/protocol.js";

export const CONTROL_HELP = `Usage: daskq control --stdio [-v]

Lets another program (the Python package daskq: SLURMCluster, PBSCluster, ...) drive ONE cluster
through this process's standard input and output, in JSON lines: commands in, replies and events
out. The first line out is {"event": "hello", "protocol": N, "daskq": "VERSION"}. Nothing listens
on a port. Logs go to standard error. When standard input closes (the controller exited or died),
the cluster is closed: every job cancelled, the scheduler stopped.

Commands, one JSON object a line, each with an "id" echoed in its reply:
  describe    {"backend"}: installed backends, the backend's config keys
  job_script  {"backend", "configName", "job"}: what 'daskq job-script' prints for these settings
  create      {"backend", "configName", "job", "scheduler", "tls", "pollInterval"}: start the cluster
  scale       {"workers" | "jobs" | "cores" | "memory", "pool"}
  adapt       {"minimum", "maximum", "minimumJobs", "maximumJobs", ..., "interval", "waitCount"}
  stop_adapt, status, logs {"jobs", "lines"}, close
The full protocol: packages/cli/python/README.md.

Options:
      --stdio                   speak the protocol on standard input and output (required)
  -v, --verbose                 log every decision (to standard error)
  -h, --help                    this help`;

/** `daskq control --stdio`: resolves with the exit code once standard input has closed and the cluster is closed. */
export async function control(argv: string[], container: DependencyContainer): Promise<number> {
  const { values } = parseCommandArgs(argv, { stdio: { type: "boolean" }, verbose: { type: "boolean", short: "v" }, help: { type: "boolean", short: "h" } });
  if (values.help) {
    process.stdout.write(`${CONTROL_HELP}\n`);
    return 0;
  }
  if (!values.stdio) throw new DaskqError("cli", "daskq control needs --stdio (the only transport). See daskq control --help.");
  const write = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const session = new ControlSession(container, consoleLogger(values.verbose ?? false), write);
  write({ event: "hello", protocol: CONTROL_PROTOCOL_VERSION, daskq: daskqVersion() });
  // The controller owns the cluster's life: a Ctrl-C in its terminal is for it, not for daskq.
  const ignore = () => {};
  for (const signal of ["SIGINT", "SIGHUP"] as const) process.on(signal, ignore);
  // Commands run one after the other, in the order they came (a scale never overtakes its create).
  let previous: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    previous = previous.then(() => answer(session, line, write));
  }
  await previous;
  await session.shutDown();
  for (const signal of ["SIGINT", "SIGHUP"] as const) process.off(signal, ignore);
  return 0;
}

/** Parses one line, runs it, writes the reply. */
async function answer(session: ControlSession, line: string, write: (message: object) => void): Promise<void> {
  let command: ControlCommand;
  try {
    command = JSON.parse(line) as ControlCommand;
    if (typeof command !== "object" || command === null || typeof command.op !== "string") throw new UsageError("a command is an object with an op");
  } catch (error) {
    write({ id: null, ok: false, error: describeError(error instanceof UsageError ? error : new UsageError(`not a JSON command: ${line.slice(0, 200)}`)) });
    return;
  }
  try {
    write({ id: command.id, ok: true, result: (await session.handle(command)) ?? null });
  } catch (error) {
    write({ id: command.id, ok: false, error: describeError(error) });
  }
}
