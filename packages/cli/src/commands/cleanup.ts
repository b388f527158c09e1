import { rm } from "node:fs/promises";
import { cleanUpCluster, clusterCondition, isAlive, listClusterRecords, recordedJobs, stateDirectory } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";
import { consoleLogger } from "../console-logger.js";
import { parseSimpleArgs } from "../simple-args.js";
import { describeRecord } from "./ls.js";

export const CLEANUP_HELP = `Usage: daskq cleanup [CLUSTER...] [--json] [-v]

Cancels what dead clusters left (see daskq ls): every job they recorded, queued jobs first, in one
call per cluster (per pool for a cluster with several) through the cluster's (pool's) own backend; removes their temporary directories; then
forgets them. Clusters whose daskq process still runs, or runs on another host, are never touched.
Without CLUSTER ids, every dead cluster of this host is cleaned.`;

/** `daskq cleanup`: exit code 1 when a cleanup failed or a job was still alive at the end. */
export async function cleanup(argv: string[], container: DependencyContainer): Promise<number> {
  const values = parseSimpleArgs(argv, "cleanup", true);
  if (values.help) {
    process.stdout.write(`${CLEANUP_HELP}\n`);
    return 0;
  }
  const logger = consoleLogger(values.verbose);
  const wanted = new Set(values.positionals);
  const results = [];
  let failed = false;
  for (const { path, record } of await listClusterRecords(stateDirectory())) {
    if (wanted.size > 0 && !wanted.has(record.clusterId)) continue;
    wanted.delete(record.clusterId);
    const condition = clusterCondition(record);
    if (condition === "live" || condition === "other-host") {
      if (values.positionals.some((p) => p === record.clusterId)) logger.warn(`${record.clusterId} is ${condition}; not touching it`);
      continue;
    }
    if (condition === "dead-with-jobs" && record.watchdog && isAlive(record.watchdog)) {
      logger.warn(`${record.clusterId}: its watchdog (pid ${record.watchdog.pid}) is cleaning it up; not touching it`);
      continue;
    }
    const after = condition === "dead-with-jobs" ? await cleanUpCluster(path, record, { container, logger, cancelRetryMs: 10_000, confirmMs: 30_000 }) : record;
    const done = clusterCondition(after) === "dead-cleaned";
    if (done) {
      await rm(path, { force: true });
      await rm(path.replace(/\.json$/, ".log"), { force: true });
    }
    else failed = true;
    results.push({ ...describeRecord(after), removed: done });
    if (!values.json) {
      const what = after.cleanup?.cancelled.length ? `cancelled ${after.cleanup.cancelled.join(" ")}` : "no jobs to cancel";
      process.stdout.write(`${record.clusterId}: ${done ? `${what}; forgotten` : `NOT clean: ${after.cleanup?.error ?? `still alive: ${recordedJobs(after).map((j) => j.id).join(" ")}`}`}\n`);
    }
  }
  for (const id of wanted) {
    logger.error(`no recorded cluster ${id}`);
    failed = true;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else if (results.length === 0) process.stdout.write("nothing to clean up\n");
  return failed ? 1 : 0;
}
