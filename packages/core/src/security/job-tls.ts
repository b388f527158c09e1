import { randomBytes } from "node:crypto";
import { shellQuote } from "../shell-quote.js";
import type { TlsPem } from "./cluster-certificates.js";

/** Shell variable holding the job's private TLS directory. */
const DIR = "daskq_tls";
/** Shell variable holding the worker's process id while it runs (see `renderTlsWorker`). */
const WORKER = "daskq_worker";

/** The signals a batch system sends to end a job, with the exit status of a shell they end. */
const SIGNALS = [
  ["HUP", 129],
  ["INT", 130],
  ["TERM", 143],
] as const;

/**
 * Job-script lines that give the worker its TLS material INLINE: a private directory (0700) on
 * the compute node under `$TMPDIR`, the three PEM files written into it (0600), removed when the
 * script ends. Inline rather than through a shared directory because it needs no file system
 * shared between daskq's machine and the nodes (daskq may submit over SSH), works for every
 * script backend, and leaves nothing behind on shared storage. The script itself is written 0700
 * in daskq's private directory and kept by the batch system, readable by its owner and the
 * administrators only.
 *
 * The removal holds under dash (`/bin/sh` on Debian, Marathon's shell) and bash, whenever the
 * batch system's kill comes (measured: SIGTERM to the job's process group at random moments), and
 * also when a worker hangs while closing and the batch system ends the job with SIGKILL:
 * - the directory's name (a random part fixed when the script is rendered, and the shell's pid)
 *   and the traps are set BEFORE the directory is made, so a kill during its creation cannot
 *   leave a directory the traps do not know (as `mktemp -d` killed after its mkdir could);
 * - the directory is made by a direct child of the script's shell, which a trapped signal waits
 *   for, so the removal cannot run before a still-running `mkdir` has finished;
 * - HUP, INT and TERM are trapped, because dash does not run an EXIT trap when an untrapped
 *   signal ends it; each trap removes the directory AT ONCE (the worker read its files when it
 *   started), then waits for the worker to close (see `renderTlsWorker`) and exits with 128 +
 *   the signal, so a worker that never closes and is killed cannot keep the key on the node;
 * - each removal first ignores those signals, so a second kill cannot stop `rm` half-way.
 */
export function renderTlsSetup(pem: TlsPem): string[] {
  const write = (text: string, file: string) => `printf '%s\\n' ${shellQuote(text.trimEnd())} > "$${DIR}/${file}"`;
  const remove = `trap "" ${SIGNALS.map(([name]) => name).join(" ")}; rm -rf "$${DIR}"`;
  const waitForWorker = `[ -z "$${WORKER}" ] || wait "$${WORKER}"`;
  return [
    `${DIR}="\${TMPDIR:-/tmp}/daskq-tls.${randomBytes(8).toString("hex")}.$$"`,
    `${WORKER}=`,
    `trap '${remove}' EXIT`,
    ...SIGNALS.map(([name, status]) => `trap '${remove}; ${waitForWorker}; exit ${status}' ${name}`),
    `mkdir -m 700 "$${DIR}" || exit 1`,
    `(umask 077 && ${write(pem.ca, "ca.pem")} && ${write(pem.cert, "cert.pem")} && ${write(pem.key, "key.pem")}) || exit 1`,
  ];
}

/**
 * The lines that run the worker `command` after `renderTlsSetup`: in the background, with the
 * shell waiting for it, because a shell runs a trap only once its foreground command has ended
 * while `wait` gives way to it at once. The script goes on (epilogue, exit status) as if the
 * worker had run in the foreground.
 */
export function renderTlsWorker(command: string): string[] {
  return [`${command} &`, `${WORKER}=$!`, `wait "$${WORKER}"`];
}

/** The worker's TLS arguments, as shell words pointing into the directory of `renderTlsSetup`. */
export function tlsWorkerWords(): string[] {
  return ["--tls-ca-file", `"$${DIR}/ca.pem"`, "--tls-cert", `"$${DIR}/cert.pem"`, "--tls-key", `"$${DIR}/key.pem"`];
}
