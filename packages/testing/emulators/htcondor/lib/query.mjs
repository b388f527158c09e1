// HTCONDOR EMULATOR: condor_q (the job queue) and condor_history (jobs that left it).
//
// Restrictions (docs/man-pages/condor_q.rst "Restrictions"): `C`, `C.P`, an owner name, and
// `-constraint expr`; a job matches when it matches an owner restriction (if any) and at least one
// of the other restrictions (if any). Output: -json (src/condor_utils/compat_classad.cpp
// CondorClassAdListWriter + src/classad/jsonSink.cpp), -long, -af[:jlhVtn,] attrs|exprs,
// -attributes, -limit, -totals and the default batch table with its "Total for query" lines
// (docs/getting-htcondor/minicondor-test-and-quickstart.include). -allusers is accepted: every
// emulated job belongs to the current user. condor_history lists the most recent first.

import { ClassAdSyntaxError, evaluate, formatLongValue, formatValue, jsonAdList, matches, parseExpression } from "./classad.mjs";
import { HELD, IDLE, REMOVED, COMPLETED, RUNNING, jobId, longAd, readHistory, settings, withSchedd } from "./schedd.mjs";

class UsageError extends Error {}

export async function main(tool, argv) {
  let args;
  try {
    args = parseArgs(tool, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const s = settings();
  const all = tool === "condor_history" ? readHistory(s) : withSchedd((schedd) => schedd.procs.map((p) => p.ad));
  let ads = all.filter((ad) => selected(ad, args));
  if (args.limit !== undefined) ads = ads.slice(0, args.limit);
  process.stdout.write(render(tool, ads, args, s, all));
}

function parseArgs(tool, argv) {
  const args = { ids: [], owners: [], constraints: [], format: "table", autoformat: [], qualifiers: "", attributes: undefined, limit: undefined, totals: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`Error: ${arg} requires another parameter`);
      return v;
    };
    if (/^-const(r(a(i(nt?)?)?)?)?$/.test(arg)) {
      const text = value();
      try {
        args.constraints.push(parseExpression(text));
      } catch (error) {
        if (!(error instanceof ClassAdSyntaxError)) throw error;
        throw new UsageError(`Error: Invalid constraint expression: ${text}`);
      }
    } else if (arg === "-json") args.format = "json";
    else if (/^-l(o(ng?)?)?$/.test(arg)) args.format = "long";
    else if (/^-(af|autoformat)(:[jlhVrtn,g]*)?$/.test(arg)) {
      args.format = "af";
      args.qualifiers = arg.split(":")[1] ?? "";
      while (i + 1 < argv.length && !argv[i + 1].startsWith("-")) args.autoformat.push(argv[++i]);
      if (args.autoformat.length === 0) throw new UsageError(`Error: ${arg} requires at least one attribute`);
    } else if (/^-attr(i(b(u(t(es?)?)?)?)?)?$/.test(arg)) args.attributes = value().split(/[\s,]+/).filter(Boolean);
    else if (/^-(limit|match)$/.test(arg)) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`Error: ${arg} requires a non-negative number`);
      args.limit = n;
    } else if (/^-tot(a(ls?)?)?$/.test(arg) && tool === "condor_q") args.totals = true;
    else if (/^-(allusers|nobatch|batch|wide|global)$/.test(arg) || (arg === "-all" && tool === "condor_q")) {
      // Every emulated job belongs to the current user; the table layout ignores -nobatch/-wide.
    } else if (arg.startsWith("-")) throw new UsageError(`Error: unrecognized argument ${arg}`);
    else if (/^\d+(\.\d+)?$/.test(arg)) args.ids.push(arg);
    else args.owners.push(arg);
  }
  return args;
}

function selected(ad, args) {
  if (args.owners.length > 0 && !args.owners.includes(ad.Owner)) return false;
  const others = args.ids.length + args.constraints.length;
  if (others === 0) return true;
  return args.ids.some((id) => id === jobId(ad) || id === String(ad.ClusterId)) || args.constraints.some((c) => matches(c, ad));
}

function render(tool, ads, args, s, all) {
  if (args.format === "json") return jsonAdList(ads, args.attributes);
  if (args.format === "long") return ads.map((ad) => longAd(pick(ad, args.attributes))).join("\n") + (ads.length ? "\n" : "");
  if (args.format === "af") return autoformat(ads, args);
  if (tool === "condor_history") return historyTable(ads);
  const title = `-- Schedd: ${s.scheddName} : <127.0.0.1:9618?... @ ${stamp()}\n`;
  const totals = totalsLines(ads, all);
  if (args.totals) return `\n\n${title}${totals}`;
  return `\n\n${title}${batchTable(ads)}\n${totals}`;
}

function pick(ad, only) {
  if (!only) return ad;
  const wanted = new Set(only.map((n) => n.toLowerCase()));
  return Object.fromEntries(Object.entries(ad).filter(([k]) => wanted.has(k.toLowerCase())));
}

/** -af: %v values (or %V with `V`) separated by a space, a newline after each ad; j, l, h, t, n and `,` as condor_q.rst lists them. */
function autoformat(ads, args) {
  const q = args.qualifiers;
  const trees = args.autoformat.map((text) => {
    try {
      return parseExpression(text);
    } catch {
      return { kind: "literal", value: { error: true } };
    }
  });
  const names = [...(q.includes("j") ? ["ID"] : []), ...args.autoformat];
  const sep = q.includes("t") ? "\t" : q.includes("n") ? "" : " ";
  const end = q.includes(",") ? "," : "";
  let out = q.includes("h") ? `${names.join(sep)}\n` : "";
  for (const ad of ads) {
    const values = trees.map((tree) => {
      const v = evaluate(tree, ad);
      return q.includes("V") ? formatLongValue(v) : formatValue(v);
    });
    const fields = [...(q.includes("j") ? [jobId(ad)] : []), ...values].map((v, i) => (q.includes("l") ? `${names[i]} = ${v}` : v) + end);
    out += q.includes("n") ? fields.map((f) => `${f}\n`).join("") : `${fields.join(sep)}\n`;
    if (q.includes("g")) out += "\n";
  }
  return out;
}

function stamp(d = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}/${p(d.getDate())}/${p(d.getFullYear() % 100)} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function counts(ads) {
  const by = (status) => ads.filter((ad) => ad.JobStatus === status).length;
  return `${ads.length} jobs; ${by(COMPLETED)} completed, ${by(REMOVED)} removed, ${by(IDLE)} idle, ${by(RUNNING)} running, ${by(HELD)} held, ${by(7)} suspended`;
}

/** The "Total for query" and "Total for all users" lines of condor_q (standard_summary2 in queue.cpp). */
function totalsLines(ads, everyone) {
  return `Total for query: ${counts(ads)}\nTotal for all users: ${counts(everyone)}\n`;
}

const submitted = (qdate) => {
  const d = new Date(qdate * 1000);
  return `${d.getMonth() + 1}/${d.getDate()} ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
};

/** The default (batch) table: one line per cluster or batch name, HOLD only when a job is held or none is listed. */
function batchTable(ads) {
  const batches = new Map();
  for (const ad of ads) {
    const name = ad.JobBatchName ?? `ID: ${ad.ClusterId}`;
    if (!batches.has(name)) batches.set(name, []);
    batches.get(name).push(ad);
  }
  const showHold = ads.length === 0 || ads.some((ad) => ad.JobStatus === HELD);
  const n = (list, status) => {
    const c = list.filter((ad) => ad.JobStatus === status).length;
    return (c === 0 ? "_" : String(c)).padStart(6);
  };
  // The header of the documented empty queue (minicondor-test-and-quickstart.include); the rows'
  // column widths are the emulator's (condor_q sizes them to the data).
  let out = `OWNER BATCH_NAME      SUBMITTED   DONE   RUN    IDLE${showHold ? "   HOLD" : ""}  TOTAL JOB_IDS\n`;
  for (const [name, list] of batches) {
    const ids = list.map(jobId);
    out += `${list[0].Owner.padEnd(5)} ${name.slice(0, 14).padEnd(14)} ${submitted(list[0].QDate).padStart(10)}      _ ${n(list, RUNNING)} ${n(list, IDLE)}${showHold ? ` ${n(list, HELD)}` : ""} ${String(list.length).padStart(6)} ${ids.length > 1 ? `${ids[0]} ... ${ids.at(-1)}` : ids[0]}\n`;
  }
  return out;
}

/** condor_history's default table (ID OWNER SUBMITTED RUN_TIME ST COMPLETED CMD). */
function historyTable(ads) {
  const st = { 3: "X", 4: "C" };
  const runTime = (ad) => {
    const secs = Math.round(ad.RemoteWallClockTime?.real ?? 0);
    const p = (x) => String(x).padStart(2, "0");
    return `${Math.floor(secs / 86400)}+${p(Math.floor(secs / 3600) % 24)}:${p(Math.floor(secs / 60) % 60)}:${p(secs % 60)}`;
  };
  let out = " ID     OWNER          SUBMITTED   RUN_TIME     ST COMPLETED   CMD\n";
  for (const ad of ads) {
    const done = ad.CompletionDate ? submitted(ad.CompletionDate) : "---";
    out += ` ${jobId(ad).padEnd(6)} ${ad.Owner.padEnd(14)} ${submitted(ad.QDate).padStart(10)} ${runTime(ad).padStart(11)} ${st[ad.JobStatus] ?? "?"}  ${done.padEnd(11)} ${ad.Cmd} ${ad.Arguments ?? ad.Args ?? ""}`.trimEnd() + "\n";
  }
  return out;
}
