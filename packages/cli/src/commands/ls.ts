import { clusterCondition, listClusterRecords, poolParts, recordedJobs, stateDirectory, type ClusterRecord } from "@daskq/core";
import { parseSimpleArgs } from "../simple-args.js";

export const LS_HELP = `Usage: daskq ls [--json]

Lists the clusters recorded in your state directory ($DASKQ_HOME/state, default ~/.daskq/state):
  live             its daskq process runs
  dead-with-jobs   its process died without closing it; jobs or temporary files may be left
                   (run daskq cleanup)
  dead-cleaned     its process died; the watchdog or daskq cleanup cancelled what it left
  other-host       its process runs (or ran) on another host that shares this home directory

A cluster with several pools has one record; BACKEND then lists each pool's (cpu=slurm,gpu=sge).

When the cleanup of a dead cluster failed (its batch system refused the credentials, ...), a line
after the table says why.

A cluster that closed normally leaves no record.`;

/** One row of `daskq ls --json`. */
export function describeRecord(record: ClusterRecord) {
  const parts = poolParts(record);
  return {
    clusterId: record.clusterId,
    condition: clusterCondition(record),
    backend: record.backend,
    submitsVia: record.submitsVia,
    host: record.owner.host,
    pid: record.owner.pid,
    createdAt: record.createdAt,
    schedulerAddress: record.schedulerAddress ?? null,
    /** Jobs of every pool. */
    jobs: recordedJobs(record).map((j) => j.id),
    /** With several pools: each pool's backend and jobs; null for a cluster of one. */
    pools: record.pools ? parts.map((p) => ({ name: p.pool ?? "", backend: p.backend, submitsVia: p.submitsVia, jobs: p.jobs.map((j) => j.id) })) : null,
    cleanup: record.cleanup ?? null,
  };
}

/** `daskq ls`. */
export async function ls(argv: string[]): Promise<number> {
  const values = parseSimpleArgs(argv, "ls");
  if (values.help) {
    process.stdout.write(`${LS_HELP}\n`);
    return 0;
  }
  const rows = (await listClusterRecords(stateDirectory())).map((r) => describeRecord(r.record));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write("no clusters recorded\n");
    return 0;
  }
  const table = [["CLUSTER", "CONDITION", "BACKEND", "VIA", "HOST", "PID", "JOBS", "CREATED", "SCHEDULER"]];
  for (const r of rows) table.push([r.clusterId, r.condition, r.pools ? r.pools.map((p) => `${p.name}=${p.backend}`).join(",") : r.backend, r.submitsVia, r.host, String(r.pid), String(r.jobs.length), r.createdAt, r.schedulerAddress ?? "-"]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
  // Why a cleanup failed (e.g. refused credentials): the jobs in JOBS are still there.
  for (const r of rows) if (r.cleanup?.error) process.stdout.write(`${r.clusterId}: cleanup failed at ${r.cleanup.at}: ${r.cleanup.error}\n`);
  return 0;
}
