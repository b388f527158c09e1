// HTCONDOR EMULATOR: condor_submit [-terse] [-batch-name name] [-append command]... [name=value]...
// <submit file | ->. One submit description is one cluster; its `queue N` statements are its procs.
// Output as src/condor_submit.V6/submit.cpp prints it (htcondor/htcondor@7491a145, main()):
//   Submitting job(s)...            one dot per proc, not for standard input or -terse
//   3 job(s) submitted to cluster 12.
// -terse prints `12.0 - 12.2`; a description from standard input implies -verbose (every proc's
// ad after `** Proc 12.0:`). Errors go to stderr after a blank line, with exit code 1.

import { readFileSync } from "node:fs";
import { IDLE, longAd, settings, withSchedd } from "./schedd.mjs";
import { SubmitError, buildJobs, readStatements, strerror } from "./submit-description.mjs";

export async function main(_name, argv) {
  const s = settings();
  let terse = false;
  let file;
  let batchName;
  const append = [];
  const commandLine = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) {
        process.stderr.write(`condor_submit: ${arg} requires another argument\n`);
        process.exit(1);
      }
      return v;
    };
    if (arg === "-") file = "-";
    else if (/^-te(r(se?)?)?$/.test(arg)) terse = true;
    else if (/^-b(a(t(c(h(-(n(a(me?)?)?)?)?)?)?)?)?$/.test(arg)) batchName = value();
    else if (/^-a(p(p(e(nd?)?)?)?)?$/.test(arg)) append.push(value());
    else if (/^-fi(le?)?$/.test(arg)) file = value();
    else if (/^-(verbose|unused|disable|debug|spool)$/.test(arg)) {
      // Accepted; they change nothing in the emulator.
    } else if (arg.startsWith("-")) {
      process.stderr.write(`condor_submit: unknown or unsupported (daskq HTCondor emulator) option ${arg}\n`);
      process.exitCode = 1;
      return;
    } else if (/^[A-Za-z_+][A-Za-z0-9_.]*=/.test(arg)) {
      const eq = arg.indexOf("=");
      commandLine.push([arg.slice(0, eq).replace(/^\+/, "MY."), arg.slice(eq + 1)]);
    } else file = arg;
  }
  const fromStdin = file === undefined || file === "-";
  const fileName = fromStdin ? "(stdin)" : file;
  let text;
  try {
    text = readFileSync(fromStdin ? 0 : file, "utf8");
  } catch (error) {
    process.stderr.write(`\nERROR: Failed to open command file (${fileName}) (${strerror(error)})\n`);
    process.exitCode = 1;
    return;
  }
  const verbose = fromStdin && !terse;
  if (!fromStdin && !terse) process.stdout.write("Submitting job(s)");
  try {
    const statements = [...readStatements(text), ...readStatements(append.join("\n"))];
    const result = withSchedd((schedd) => {
      const cluster = schedd.newCluster();
      const context = {
        cluster,
        submitTime: Math.floor(Date.now() / 1000),
        owner: s.user,
        uidDomain: s.uidDomain,
        scheddName: s.scheddName,
        cwd: process.cwd(),
        env: process.env,
        commandLine,
        batchName,
        defaults: s.defaults,
      };
      const { jobs, sawQueue } = buildJobs(statements, context);
      if (!sawQueue) return { cluster, jobs, sawQueue };
      schedd.submit(jobs);
      return { cluster, jobs, sawQueue };
    });
    if (!result.sawQueue) {
      process.stderr.write(`\nERROR: "${fileName}" doesn't contain any "queue" commands -- no jobs queued\n`);
      process.exitCode = 1;
      return;
    }
    const { cluster, jobs } = result;
    if (verbose) for (const { ad } of jobs) process.stdout.write(`\n** Proc ${ad.ClusterId}.${ad.ProcId}:\n${longAd({ ...ad, JobStatus: ad.JobStatus ?? IDLE })}`);
    else if (!terse) process.stdout.write(".".repeat(jobs.length));
    if (!fromStdin && !terse) process.stdout.write("\n");
    if (terse) {
      if (jobs.length > 0) process.stdout.write(`${cluster}.0 - ${cluster}.${jobs.length - 1}\n`);
    } else if (!verbose && jobs.length > 0) {
      process.stdout.write(`${jobs.length} job(s) submitted to cluster ${cluster}.\n`);
      process.stderr.write(`To monitor your job(s), run: condor_watch_q -clusters ${cluster}\n`);
    }
  } catch (error) {
    if (!(error instanceof SubmitError)) throw error;
    process.stderr.write(`\n${error.message}`);
    process.exitCode = 1;
  }
}
