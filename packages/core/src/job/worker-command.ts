import type { JobSpec } from "./job-spec.js";
import { shellQuote, shellQuoteExpandingVariables } from "./shell-quote.js";

/**
 * The worker command line as shell text:
 * `<python> -m distributed.cli.dask_worker <scheduler> --name <name> --nthreads <cores/processes>
 *  --memory-limit <memory/processes> [--nworkers <processes>] --nanny --death-timeout <s>
 *  [--local-directory D] [--interface I] [extra args]`.
 * `local-directory` may reference environment variables of the compute node (`$TMPDIR`).
 * `nameWord` is an already-safe shell word (it may reference an array index variable);
 * `securityWords` are already-safe shell words too (the TLS arguments of `tlsWorkerWords`).
 */
export function renderWorkerCommand(spec: JobSpec, schedulerAddress: string, nameWord: string, securityWords: readonly string[] = []): string {
  const threads = Math.max(1, Math.floor(spec.cores / spec.processes));
  const memoryPerWorker = Math.floor(spec.memory / spec.processes);
  const words = [
    shellQuote(spec.python),
    "-m",
    shellQuote(spec.workerCommand),
    shellQuote(schedulerAddress),
    "--name",
    nameWord,
    "--nthreads",
    String(threads),
    "--memory-limit",
    String(memoryPerWorker),
  ];
  if (spec.processes > 1) words.push("--nworkers", String(spec.processes));
  words.push(spec.nanny ? "--nanny" : "--no-nanny");
  words.push("--death-timeout", String(spec.deathTimeout));
  words.push(...securityWords);
  if (spec.localDirectory) words.push("--local-directory", shellQuoteExpandingVariables(spec.localDirectory));
  if (spec.interface) words.push("--interface", shellQuote(spec.interface));
  words.push(...spec.workerExtraArgs.map(shellQuote));
  return words.join(" ");
}
