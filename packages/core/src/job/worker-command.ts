import { DaskqError } from "../errors.js";
import type { TlsPem } from "../security/cluster-certificates.js";
import { tlsWorkerWords } from "../security/job-tls.js";
import type { JobSpec } from "./job-spec.js";
import { shellQuote, shellQuoteExpandingVariables, shellQuoteWithVariable } from "../shell-quote.js";
import { lifetimeArguments, workerLifetime } from "./worker-lifetime.js";

/** How the workers of a submission are named: one fixed name, or `<base>-<index>` for array tasks. */
export type WorkerNaming = { readonly kind: "fixed"; readonly name: string } | { readonly kind: "array"; readonly base: string };

/**
 * The worker a job starts, structured (no shell): what an HTTP or library backend launches
 * directly, and what the job script of a script backend is rendered from.
 */
export interface WorkerLaunch {
  /**
   * `[python, "-m", <worker module>, <scheduler address>, "--nthreads", ..., <extra args>]`, WITHOUT
   * `--name` (see `naming` and `workerArgv`). Every word is literal, except those listed in
   * `expandOnNode`.
   */
  readonly argv: readonly string[];
  /** The scheduler the worker connects to (also in `argv`): a script checks it is reachable first. */
  readonly schedulerAddress: string;
  /**
   * Indexes into `argv` of words that may reference environment variables of the node the worker
   * runs on (`local-directory: $TMPDIR/dask`): a shell leaves their plain `$VAR` unquoted.
   */
  readonly expandOnNode: readonly number[];
  /** Environment variables for the worker (`env` of the job spec). */
  readonly env: Readonly<Record<string, string>>;
  /** The worker name: fixed for one job; for n jobs `<base>-<index>` with index = arrayIndex.first + i. */
  readonly naming: WorkerNaming;
  /** Shell lines to run before the worker (`job-script-prologue`); script backends get them inside the script. */
  readonly prologue: readonly string[];
  /** Shell lines to run after the worker (`job-script-epilogue`). */
  readonly epilogue: readonly string[];
  /**
   * The cluster's TLS material for the worker (PEM), when the scheduler uses TLS. `argv` holds no
   * TLS arguments: a script gets the files inline (`renderTlsSetup`), a backend without a shell
   * writes them where its worker runs and passes their paths to `workerArgv`.
   */
  readonly tls?: TlsPem;
}

/** Where the TLS files of a worker are on its node, for `workerArgv`. */
export interface WorkerTlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Where `--name <name>` goes in a worker's argv: right after python, `-m`, the module and the scheduler address. */
const NAME_POSITION = 4;

/**
 * The structured worker of every job of `spec`: the single source of the worker's arguments,
 * `<python> -m distributed.cli.dask_worker <scheduler> --nthreads <cores/processes>
 *  --memory-limit <memory/processes> [--nworkers <processes>] --nanny --death-timeout <s>
 *  [--local-directory D] [--interface I] [--lifetime L [--lifetime-stagger S]] [extra args]`
 * (`--lifetime` when the job has a walltime, see `workerLifetime`).
 */
export function workerLaunch(spec: JobSpec, schedulerAddress: string, naming: WorkerNaming, tls?: TlsPem): WorkerLaunch {
  const threads = Math.max(1, Math.floor(spec.cores / spec.processes));
  const memoryPerWorker = Math.floor(spec.memory / spec.processes);
  const argv = [spec.python, "-m", spec.workerCommand, schedulerAddress, "--nthreads", String(threads), "--memory-limit", String(memoryPerWorker)];
  if (spec.processes > 1) argv.push("--nworkers", String(spec.processes));
  argv.push(spec.nanny ? "--nanny" : "--no-nanny");
  argv.push("--death-timeout", String(spec.deathTimeout));
  const expandOnNode: number[] = [];
  if (spec.localDirectory) {
    argv.push("--local-directory", spec.localDirectory);
    expandOnNode.push(argv.length - 1);
  }
  if (spec.interface) argv.push("--interface", spec.interface);
  argv.push(...lifetimeArguments(workerLifetime(spec)));
  argv.push(...spec.workerExtraArgs);
  for (const [name] of Object.entries(spec.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new DaskqError("job", `invalid environment variable name in env: ${JSON.stringify(name)}`);
  }
  const launch = { argv, schedulerAddress, expandOnNode, env: { ...spec.env }, naming, prologue: [...spec.prologue], epilogue: [...spec.epilogue] };
  return tls ? { ...launch, tls } : launch;
}

/** Where the TLS arguments go: right after `--death-timeout <s>`. */
function securityPosition(worker: WorkerLaunch): number {
  return worker.argv.indexOf("--death-timeout") + 2;
}

/** `words` with `inserted` placed at `position`. */
function insertAt(words: readonly string[], position: number, inserted: readonly string[]): string[] {
  return [...words.slice(0, position), ...inserted, ...words.slice(position)];
}

/**
 * The worker's argv with `--name <name>` in its place, and with TLS the `--tls-*` arguments for the
 * files at `tlsFiles`, for backends that start processes without a shell.
 *
 * @throws DaskqError when the worker needs TLS and no files are given.
 */
export function workerArgv(worker: WorkerLaunch, name: string, tlsFiles?: WorkerTlsFiles): string[] {
  let argv = [...worker.argv];
  if (worker.tls) {
    if (!tlsFiles) throw new DaskqError("job", "the scheduler uses TLS: write worker.tls to the worker's node and pass the files' paths to workerArgv");
    argv = insertAt(argv, securityPosition(worker), ["--tls-ca-file", tlsFiles.ca, "--tls-cert", tlsFiles.cert, "--tls-key", tlsFiles.key]);
  }
  return insertAt(argv, NAME_POSITION, ["--name", name]);
}

/**
 * The worker command as ONE shell line, quoting `worker.argv` word by word (the words in
 * `expandOnNode` keep plain `$VAR` references live), with TLS pointing at the files of `renderTlsSetup`. `nameWord` is an already-safe shell word; by
 * default it is the quoted fixed name, or `<base>-"${arrayVariable}"` for an array.
 */
export function workerShellCommand(worker: WorkerLaunch, nameWord: string): string {
  return workerShellWords(worker, nameWord).join(" ");
}

/**
 * The shell words `workerShellCommand` joins, for backends that hand a shell the command word by
 * word (UNICORE's `Executable` and `Arguments`): `[python, "-m", module, scheduler, "--name", ...]`.
 */
export function workerShellWords(worker: WorkerLaunch, nameWord: string): string[] {
  let words = worker.argv.map((word, i) => (worker.expandOnNode.includes(i) ? shellQuoteExpandingVariables(word) : shellQuote(word)));
  if (worker.tls) words = insertAt(words, securityPosition(worker), tlsWorkerWords());
  return insertAt(words, NAME_POSITION, ["--name", nameWord]);
}

/**
 * The shell word naming a worker: its quoted fixed name, or `<base>-"${variable}"` for array tasks.
 *
 * @throws DaskqError for an array naming without an index variable.
 */
export function workerNameWord(naming: WorkerNaming, arrayVariable: string | undefined): string {
  if (naming.kind === "fixed") return shellQuote(naming.name);
  if (arrayVariable === undefined) throw new DaskqError("job", "workers of an array need the backend's array index variable");
  return shellQuoteWithVariable(`${naming.base}-`, arrayVariable);
}
