/**
 * Output samples of the real HTCondor, for the HTCONDOR EMULATOR's golden tests. Each says where it
 * comes from; "htcondor@7491a145" is github.com/htcondor/htcondor at commit
 * 7491a145f64a1c2393ed0933375874344fa44f9f (docs/ is the source of htcondor.readthedocs.io).
 */

/**
 * condor_submit of a one-job description, as the Users' Quick Start Guide shows it
 * (docs/users-manual/quick-start-guide.rst, "Submitting the job", htcondor@7491a145;
 * https://htcondor.readthedocs.io/en/latest/users-manual/quick-start-guide.html).
 * One dot per proc follows "Submitting job(s)" (src/condor_submit.V6/submit.cpp prints "." per proc).
 */
export const SUBMIT_SAMPLE = "Submitting job(s).\n1 job(s) submitted to cluster 6.\n";

/** condor_submit -terse: `"%d.%d - %d.%d\n"` of the first and last proc (src/condor_submit.V6/submit.cpp, main(), htcondor@7491a145). */
export const TERSE_FORMAT = /^(\d+)\.0 - \1\.(\d+)\n$/;

/**
 * The totals of condor_q on an empty queue, from "Test the installation"
 * (docs/getting-htcondor/minicondor-test-and-quickstart.include, htcondor@7491a145), after the
 * `-- Schedd: <name> : <address> @ <date>` title and the batch header.
 */
export const TOTALS_SAMPLE = [
  "Total for query: 0 jobs; 0 completed, 0 removed, 0 idle, 0 running, 0 held, 0 suspended",
  "Total for all users: 0 jobs; 0 completed, 0 removed, 0 idle, 0 running, 0 held, 0 suspended",
].join("\n");

/** The title line of the same sample: `-- Schedd: azaphrael.org : <184.60.25.78:34585?... @ 11/11/20 14:44:06`. */
export const TITLE_FORMAT = /^-- Schedd: \S+ : <[\d.]+:\d+\?\.\.\. @ \d\d\/\d\d\/\d\d \d\d:\d\d:\d\d$/;

/** The batch header of the same sample (the HOLD column is shown when no job is listed, condor_q.rst "Output"). */
export const BATCH_HEADER_SAMPLE = "OWNER BATCH_NAME      SUBMITTED   DONE   RUN    IDLE   HOLD  TOTAL JOB_IDS";

/**
 * JobStatus codes, docs/codes-other-values/job-status-codes.rst (htcondor@7491a145; "Job ClassAd
 * Attributes", https://htcondor.readthedocs.io/en/latest/classad-attributes/job-classad-attributes.html).
 */
export const JOB_STATUS = { Idle: 1, Running: 2, Removing: 3, Completed: 4, Held: 5, TransferringOutput: 6, Suspended: 7 } as const;

/**
 * condor_q -json and condor_history -json: CondorClassAdListWriter (src/condor_utils/compat_classad.cpp,
 * appendAd/appendFooter) writes `[\n`, the ads separated by `\n,\n`, and `\n]\n`, nothing for no ad;
 * attributes sorted ignoring case. ClassAdJsonUnParser (src/classad/jsonSink.cpp) writes each ad as
 * `{`, `\n  "Name": value` joined by `,`, `\n}`, expressions as "\/Expr(<expr>)\/". A real condor_q
 * -json attribute quoted in a public script (github.com, a job-accounting tool's parser):
 *   "MemoryUsage": "\/Expr(( ( ResidentSetSize + 1023 ) / 1024 ))\/"
 */
export const JSON_EXPR_SAMPLE = '"MemoryUsage": "\\/Expr(( ( ResidentSetSize + 1023 ) / 1024 ))\\/"';

/** HoldReasonCode values used here, docs/codes-other-values/hold-table.rst (htcondor@7491a145). */
export const HOLD_CODE = { UserRequest: 1, FailedToCreateProcess: 6, UnableToOpenOutput: 7, SubmittedOnHold: 15, SystemPolicy: 26 } as const;

/**
 * The HoldReason of a job whose executable cannot be started: "Error from <slot>: " (the shadow's
 * prefix, src/condor_shadow.V6.1/pseudo_ops.cpp) + "Failed to execute '<cmd>' with arguments <args>: "
 * + "(errno=%d: '%s')" (src/condor_starter.V6.1/os_proc.cpp, OsProc::StartJob), htcondor@7491a145.
 */
export const EXEC_HOLD_FORMAT = (slot: string, cmd: string, args: string) => `Error from ${slot}: Failed to execute '${cmd}' with arguments ${args}: (errno=2: 'No such file or directory')`;

/** SYSTEM_PERIODIC_HOLD's reason without SYSTEM_PERIODIC_HOLD_REASON (src/condor_utils/user_job_policy.cpp, FiringReason). */
export const PERIODIC_HOLD_FORMAT = (expr: string) => `The system macro SYSTEM_PERIODIC_HOLD expression '${expr}' evaluated to TRUE`;
