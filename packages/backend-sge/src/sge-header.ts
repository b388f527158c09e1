import { ConfigError, type HeaderContext, type JobSpec } from "@daskq/core";
import { QSUB_PREFIX, checkDirectiveValue, checkJobName, directiveWord, nameWord } from "./sge-directives.js";
import { readSgeHeaderOptions } from "./sge-options.js";
import { sgeResourceRequests } from "./sge-resource-requests.js";

/**
 * The `-o` value for an output directory (`log-directory`, else daskq's own for the cluster): the
 * directory with ONE trailing `/`, as dask-jobqueue writes it. The slash tells qsub that it names a
 * directory: each job writes `<dir>/<name>.o<job id>[.<task>]` there, and a missing directory puts
 * the job in the error state instead of turning the path into a file (measured). A path with `:`
 * gets a leading `:` (qsub reads `host:path`, and an empty host means "any host"; measured).
 *
 * @throws ConfigError for a `,` (qsub reads a list of paths) and what no directive can hold.
 */
export function outputPathWord(logDirectory: string): string {
  checkDirectiveValue(logDirectory, "log-directory");
  if (logDirectory.includes(",")) {
    throw new ConfigError(`${JSON.stringify(logDirectory)} contains a comma, which qsub reads as a list of output paths`, {
      keyPath: "log-directory",
    });
  }
  const dir = `${logDirectory.replace(/\/+$/, "")}/`;
  return directiveWord(dir.includes(":") ? `:${dir}` : dir, "log-directory");
}

/**
 * The generated `#$` lines of one worker job, in dask-jobqueue's order with the resource requests
 * dask-jobqueue leaves out:
 * `-N`, the resource requests (`sgeResourceRequests`: `-q`, `-P`, `-pe`, memory, `h_rt`),
 * `-cwd`, `-j y`, then `-o` into the context's output directory
 * (none when it has none: a preview without `log-directory`).
 * Every value is checked; a value that cannot be written safely is a ConfigError naming its key, so
 * a malformed header is never produced.
 */
export function renderSgeHeader(spec: JobSpec, context: HeaderContext): string[] {
  const options = readSgeHeaderOptions(spec.backendOptions);
  const lines: string[] = [];
  const add = (...words: string[]) => lines.push([QSUB_PREFIX, ...words].join(" "));

  add("-N", checkJobName(context.jobName, "name"));
  for (const request of sgeResourceRequests(spec, options, nameWord)) add(...request);
  add("-cwd");
  add("-j", "y");
  if (context.outputDirectory) add("-o", outputPathWord(context.outputDirectory));
  return lines;
}
