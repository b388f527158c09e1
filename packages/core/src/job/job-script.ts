import { DaskqError } from "../errors.js";
import type { Backend, HeaderContext, ScriptFormat } from "../backend/backend.js";
import type { JobSpec } from "./job-spec.js";
import { shellQuote } from "../shell-quote.js";
import { renderSchedulerCheck } from "./scheduler-check.js";
import { checkScriptValues } from "./check-script-values.js";
import { renderTlsSetup, renderTlsWorker } from "../security/job-tls.js";
import { workerNameWord, workerShellCommand, type WorkerLaunch } from "./worker-command.js";

/** Header lines: the format's, minus `job-directives-skip` matches, plus `job-extra-directives`. */
export function renderHeader(format: ScriptFormat, spec: JobSpec, context: HeaderContext): string[] {
  const generated = format.header(spec, context).filter((line) => !spec.directivesSkip.some((skip) => skip !== "" && line.includes(skip)));
  const prefix = format.directivePrefix;
  const extra = spec.extraDirectives.map((d) => (prefix && !d.startsWith(prefix) ? `${prefix} ${d}` : d));
  return [...generated, ...extra];
}

/**
 * The complete job script of `worker`: shebang, header (when the backend has a script format),
 * environment, the worker's TLS material inline when it has some (see `renderTlsSetup`), prologue,
 * a check that the scheduler is reachable (see `renderSchedulerCheck`), worker command, epilogue. Every user value in the generated parts is shell-quoted; prologue and
 * epilogue lines are shell code by definition and are copied as written. Header lines must be
 * single lines. Rendered once, after the backend's `prepare()`: never rewritten afterwards.
 *
 * @param outputDirectory where the job's output goes (HeaderContext.outputDirectory).
 * @throws DaskqError for a header line with a line break, a value no script can carry (see
 *   `checkScriptValues`), or an array naming on a backend without an array index.
 */
export function renderJobScript(backend: Pick<Backend, "name" | "script" | "arrayIndex">, spec: JobSpec, worker: WorkerLaunch, outputDirectory: string | undefined): string {
  checkScriptValues(spec);
  if (worker.naming.kind === "array" && !backend.arrayIndex) throw new DaskqError("job", `backend ${backend.name} does not support job arrays`);
  const header = backend.script ? renderHeader(backend.script, spec, { jobName: spec.jobName, outputDirectory }) : [];
  for (const line of header) {
    if (/[\r\n]/.test(line)) throw new DaskqError("job", `a header line contains a line break: ${JSON.stringify(line)}`);
  }
  const env = Object.entries(worker.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  const command = workerShellCommand(worker, workerNameWord(worker.naming, backend.arrayIndex?.variable));
  const lines = [
    spec.shebang,
    "",
    ...header,
    ...(header.length ? [""] : []),
    ...env,
    ...(worker.tls ? renderTlsSetup(worker.tls) : []),
    ...worker.prologue,
    renderSchedulerCheck(spec.python, worker.schedulerAddress),
    ...(worker.tls ? renderTlsWorker(command) : [command]),
    ...worker.epilogue,
  ];
  return `${lines.join("\n")}\n`;
}
