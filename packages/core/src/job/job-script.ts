import { DaskqError } from "../errors.js";
import type { Backend } from "../backend/backend.js";
import type { JobSpec } from "./job-spec.js";
import { shellQuote, shellQuoteWithVariable } from "./shell-quote.js";
import { renderWorkerCommand } from "./worker-command.js";
import { renderSchedulerCheck } from "./scheduler-check.js";
import { checkScriptValues } from "./check-script-values.js";
import type { TlsPem } from "../security/cluster-certificates.js";
import { renderTlsSetup, tlsWorkerWords } from "../security/job-tls.js";

/** What the script is for: one job with a fixed worker name, or every task of an array. */
export type ScriptTarget = { readonly jobName: string } | { readonly arrayBase: string };

/** Header lines: the backend's, minus `job-directives-skip` matches, plus `job-extra-directives`. */
export function renderHeader(backend: Backend, spec: JobSpec, batchJobName: string): string[] {
  const generated = backend
    .header(spec, { jobName: batchJobName })
    .filter((line) => !spec.directivesSkip.some((skip) => skip !== "" && line.includes(skip)));
  const prefix = backend.directivePrefix;
  const extra = spec.extraDirectives.map((d) => (prefix && !d.startsWith(prefix) ? `${prefix} ${d}` : d));
  return [...generated, ...extra];
}

/**
 * The complete job script: shebang, header, environment, prologue, a check that the scheduler is
 * reachable (see `renderSchedulerCheck`), worker command, epilogue. With `tls`, the worker gets
 * the cluster's TLS material inline (see `renderTlsSetup`) and the matching arguments.
 * Every user value in the generated parts is shell-quoted; prologue and epilogue lines are shell
 * code by definition and are copied as written. Header lines must be single lines.
 */
export function renderJobScript(backend: Backend, spec: JobSpec, schedulerAddress: string, target: ScriptTarget, tls?: TlsPem): string {
  checkScriptValues(spec);
  const nameWord =
    "jobName" in target
      ? shellQuote(target.jobName)
      : shellQuoteWithVariable(`${target.arrayBase}-`, requireArrayVariable(backend));
  const header = renderHeader(backend, spec, spec.jobName);
  for (const line of header) {
    if (/[\r\n]/.test(line)) throw new DaskqError("job", `a header line contains a line break: ${JSON.stringify(line)}`);
  }
  const env = Object.entries(spec.env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new DaskqError("job", `invalid environment variable name in env: ${JSON.stringify(k)}`);
    return `export ${k}=${shellQuote(v)}`;
  });
  const lines = [
    spec.shebang,
    "",
    ...header,
    ...(header.length ? [""] : []),
    ...env,
    ...(tls ? renderTlsSetup(tls) : []),
    ...spec.prologue,
    renderSchedulerCheck(spec.python, schedulerAddress),
    renderWorkerCommand(spec, schedulerAddress, nameWord, tls ? tlsWorkerWords() : []),
    ...spec.epilogue,
  ];
  return `${lines.join("\n")}\n`;
}

function requireArrayVariable(backend: Backend): string {
  if (!backend.capabilities.arrays || !backend.arrayIndex) {
    throw new DaskqError("job", `backend ${backend.name} does not support job arrays`);
  }
  return backend.arrayIndex.variable;
}
