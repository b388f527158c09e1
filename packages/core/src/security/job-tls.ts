import { shellQuote } from "../job/shell-quote.js";
import type { TlsPem } from "./cluster-certificates.js";

/** Shell variable holding the job's private TLS directory. */
const DIR = "daskq_tls";

/**
 * Job-script lines that give the worker its TLS material INLINE: a private directory (umask 077,
 * `mktemp -d` under `$TMPDIR`) on the compute node, the three PEM files written into it (0600),
 * removed when the script exits. Inline rather than through a shared directory because it needs
 * no file system shared between daskq's machine and the nodes (daskq may submit over SSH), works
 * for every script backend, and leaves nothing behind on shared storage. The script itself is
 * written 0700 in daskq's private directory and kept by the batch system, readable by its owner
 * and the administrators only.
 */
export function renderTlsSetup(pem: TlsPem): string[] {
  const write = (text: string, file: string) => `printf '%s\\n' ${shellQuote(text.trimEnd())} > "$${DIR}/${file}"`;
  return [
    `${DIR}=$(umask 077 && mktemp -d "\${TMPDIR:-/tmp}/daskq-tls.XXXXXX") || exit 1`,
    // The removal ignores INT/TERM: a kill that reaches the job's process group just as its worker
    // ended would otherwise stop `rm` half-way and leave the key behind.
    `trap 'trap "" INT TERM; rm -rf "$${DIR}"' EXIT`,
    `(umask 077 && ${write(pem.ca, "ca.pem")} && ${write(pem.cert, "cert.pem")} && ${write(pem.key, "key.pem")}) || exit 1`,
  ];
}

/** The worker's TLS arguments, as shell words pointing into the directory of `renderTlsSetup`. */
export function tlsWorkerWords(): string[] {
  return ["--tls-ca-file", `"$${DIR}/ca.pem"`, "--tls-cert", `"$${DIR}/cert.pem"`, "--tls-key", `"$${DIR}/key.pem"`];
}
