// HTCONDOR EMULATOR: condor_rm, condor_hold and condor_release (one tool, as in HTCondor).
// Targets: `C.P` ids, `C` clusters, user names, -constraint expr, -all; -reason text.
// Messages and exit codes as src/condor_rm.V6/rm.cpp and JobActionResults::getResultString
// (src/condor_daemon_client/dc_schedd.cpp) print them, htcondor/htcondor@7491a145:
//   Job 12.0 marked for removal                      (stdout; "held", "released")
//   Job 12.0 not found                               (stderr; also "already marked for removal",
//                                                     "already held", "not held to be released")
//   All jobs in cluster 12 have been marked for removal
//   All jobs matching constraint (<expr>) have been marked for removal
//   Couldn't find/remove all jobs in cluster 12      (stderr, exit 1)
//   condor_rm:0:There are no jobs in the queue       (stderr, exit 0)
// When no id of a list succeeded, the (empty) error stack is printed first: a blank stderr line.

import { matches, parseExpression, ClassAdSyntaxError } from "./classad.mjs";
import { jobId, settings, withSchedd } from "./schedd.mjs";

const ACTIONS = {
  condor_rm: { verb: "remove", past: "marked for removal", already: "already marked for removal", bad: "Invalid result for", reason: "via condor_rm" },
  condor_hold: { verb: "hold", past: "held", already: "already held", bad: "Invalid result for", reason: "via condor_hold" },
  condor_release: { verb: "release", past: "released", already: "already released", bad: "not held to be released", reason: "via condor_release" },
};

function usage(tool, word) {
  return [
    `Usage: ${tool} [options] [constraints]`,
    " where [options] is zero or more of:",
    "  -help               Display this message and exit",
    "  -version            Display version information and exit",
    "  -reason reason      Use the given RemoveReason",
    " and where [constraints] is one of:",
    `  cluster.proc        ${word} the given job`,
    `  cluster             ${word} the given cluster of jobs`,
    `  user                ${word} all jobs owned by user`,
    `  -constraint expr    ${word} all jobs matching the boolean expression`,
    `  -all                ${word} all jobs (cannot be used with other constraints)`,
    "",
  ].join("\n");
}

export async function main(tool, argv) {
  const action = ACTIONS[tool];
  const s = settings();
  const fail = (text) => {
    process.stderr.write(text);
    process.exitCode = 1;
  };
  const ids = [];
  let userCluster = "";
  let userClusterType = "";
  let global = "";
  let globalType = "";
  let reason;
  const addConstraint = (constraint, type) => {
    if (globalType === "" || globalType === "all") {
      global = constraint;
      globalType = type;
    } else if (globalType === "complex") global += ` && (${constraint})`;
    else {
      global = `(${global}) && (${constraint})`;
      globalType = "complex";
    }
  };
  const addUserCluster = (constraint, type) => {
    userCluster = userClusterType ? `${userCluster} || ${constraint}` : constraint;
    userClusterType = userClusterType ? "complex" : type;
  };
  if (argv.length === 0) return fail(`You did not specify any jobs\n${usage(tool, action.verb)}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (/^-c(o(n(s(t(r(a(i(nt?)?)?)?)?)?)?)?)?$/.test(arg)) {
      const text = argv[++i];
      if (!text || text.startsWith("-")) return fail(`${tool}: -constraint requires another argument\n`);
      addConstraint(text, "simple");
    } else if (/^-a(ll?)?$/.test(arg)) {
      if (globalType || userClusterType) return fail(`${tool}: can't mix -all with other constraints\n`);
      addConstraint("ClusterId >= 0", "all");
    } else if (/^-r(e(a(s(on?)?)?)?)?$/.test(arg)) {
      reason = argv[++i];
      if (reason === undefined) return fail(`${tool}: -reason requires another argument\n`);
    } else if (/^-h(e(lp?)?)?$/.test(arg)) {
      process.stderr.write(usage(tool, action.verb));
      return;
    } else if (arg.startsWith("-")) return fail(usage(tool, action.verb));
    else if (/^\d+$/.test(arg)) {
      if (Number(arg) <= 0) {
        process.stderr.write(`Invalid cluster # from ${arg}.\n`);
        process.exitCode = 1;
        continue;
      }
      addUserCluster(`ClusterId == ${Number(arg)}`, "cluster");
    } else if (/^\d+\.\d+$/.test(arg)) ids.push(arg);
    else if (/^[\d.]+$/.test(arg)) process.stderr.write(`Warning: unrecognized "${arg}" skipped.\n`);
    else addUserCluster(`Owner == "${arg}"`, "user");
  }
  if (!globalType && !userClusterType && ids.length === 0) {
    if (process.exitCode) return;
    return fail(`You did not specify any jobs\n${usage(tool, action.verb)}`);
  }
  let tree;
  if (userClusterType) addConstraint(userCluster, userClusterType);
  if (globalType) {
    try {
      tree = parseExpression(global);
    } catch (error) {
      if (!(error instanceof ClassAdSyntaxError)) throw error;
      return fail(`${tool}: invalid constraint expression: ${global}\n`);
    }
  }
  const byUser = `${reason ?? action.reason} (by user ${s.user})`;
  const apply = (schedd, proc) => {
    if (tool === "condor_rm") return schedd.remove(proc, byUser);
    if (tool === "condor_hold") return schedd.hold(proc, byUser, 1, 0);
    return schedd.release(proc, byUser);
  };
  const { listOut, listErr, listOk, constraintOk, queueEmpty } = withSchedd((schedd) => {
    const out = [];
    const err = [];
    let ok = 0;
    for (const id of ids) {
      const proc = schedd.procs.find((p) => jobId(p.ad) === id);
      const result = proc ? apply(schedd, proc) : "missing";
      if (result === "success") {
        ok++;
        out.push(`Job ${id} ${action.past}`);
      } else if (result === "missing") err.push(`Job ${id} not found`);
      else if (result === "already") err.push(`Job ${id} ${action.already}`);
      else err.push(tool === "condor_release" ? `Job ${id} ${action.bad}` : `Invalid result for job ${id}`);
    }
    let matched = 0;
    const empty = schedd.procs.length === 0;
    if (tree) {
      for (const proc of [...schedd.procs]) {
        if (matches(tree, proc.ad) && apply(schedd, proc) === "success") matched++;
      }
    }
    return { listOut: out, listErr: err, listOk: ok, constraintOk: matched > 0, queueEmpty: empty };
  });
  if (ids.length > 0) {
    if (listOk === 0) {
      process.stderr.write("\n");
      process.exitCode = 1;
    }
    if (listOut.length) process.stdout.write(`${listOut.join("\n")}\n`);
    if (listErr.length) process.stderr.write(`${listErr.join("\n")}\n`);
  }
  if (!tree) return;
  const type = globalType;
  const cmsg =
    type === "user" ? ` of user ${global.slice(global.indexOf(" == ") + 4)}` : type === "cluster" ? ` in cluster ${global.slice(global.indexOf(" == ") + 4)}` : type === "all" ? "" : ` matching constraint (${global})`;
  if (constraintOk) {
    process.stdout.write(`All jobs${cmsg} have been ${action.past}\n`);
  } else if (queueEmpty) {
    process.stderr.write(`${tool}:0:There are no jobs in the queue\n`);
  } else {
    process.stderr.write(`\nCouldn't find/${action.verb} all jobs${cmsg}\n`);
    process.exitCode = 1;
  }
}
