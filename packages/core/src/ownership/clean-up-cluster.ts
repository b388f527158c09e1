import { rm } from "node:fs/promises";
import type { DependencyContainer } from "tsyringe";
import type { Backend } from "../backend/backend.js";
import { isTerminal } from "../job/job-state.js";
import type { Logger } from "../logger.js";
import { writeFileAtomic } from "./atomic-file.js";
import { backendFromRecord, type RebuiltBackend } from "./backend-from-record.js";
import type { CleanupReport, ClusterRecord } from "./cluster-record.js";

/** Limits of a cleanup. */
export interface CleanupOptions {
  readonly logger: Logger;
  /** Keep retrying a failing cancel (the batch system is down) this long. Default 600 000 ms. */
  readonly cancelRetryMs?: number;
  /** Wait this long for the batch system to confirm that the jobs ended. Default 60 000 ms. */
  readonly confirmMs?: number;
  /** The backend, when already rebuilt (the watchdog prepares it before it is needed). */
  readonly rebuilt?: RebuiltBackend;
  readonly container?: DependencyContainer;
}

/**
 * Cleans up what a dead cluster left: cancels every recorded job in ONE backend call, queued jobs
 * first, retrying while the batch system is unreachable; waits until the batch system confirms;
 * removes the cluster's temporary directories; and rewrites the state file as `cleaned` with a
 * report. The caller must have made sure that the owner is dead.
 */
export async function cleanUpCluster(path: string, record: ClusterRecord, options: CleanupOptions): Promise<ClusterRecord> {
  const { logger } = options;
  const ids = [...record.jobs.filter((j) => j.state === "queued"), ...record.jobs.filter((j) => j.state !== "queued")].map((j) => j.id);
  let report: CleanupReport = { at: new Date().toISOString(), cancelled: [], left: ids };
  let rebuilt: RebuiltBackend | undefined;
  try {
    rebuilt = options.rebuilt ?? (await backendFromRecord(record, logger, options.container));
    if (ids.length > 0) {
      await cancelWithRetry(rebuilt.backend, ids, options.cancelRetryMs ?? 600_000, logger);
      logger.info(`cancelled ${ids.length} job(s) of ${record.clusterId}: ${ids.join(" ")}`);
      const left = await waitUntilEnded(rebuilt.backend, ids, options.confirmMs ?? 60_000, logger);
      report = { at: new Date().toISOString(), cancelled: ids, left };
    }
    await removeTempDirs(record, rebuilt, logger);
  } catch (error) {
    report = { ...report, error: (error as Error).message };
    logger.error(`cleanup of ${record.clusterId} failed: ${(error as Error).message}`);
  } finally {
    await rebuilt?.backend.close?.().catch(() => undefined);
    await rebuilt?.runner.close().catch(() => undefined);
  }
  const done = report.error === undefined;
  const cleaned: ClusterRecord = {
    ...record,
    phase: done ? "cleaned" : record.phase,
    jobs: record.jobs.filter((j) => report.left.includes(j.id)),
    localTempDirs: done ? [] : record.localTempDirs,
    runnerTempDirs: done ? [] : record.runnerTempDirs,
    cleanup: report,
  };
  await writeFileAtomic(path, `${JSON.stringify(cleaned, null, 1)}\n`);
  return cleaned;
}

async function cancelWithRetry(backend: Backend, ids: readonly string[], retryMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + retryMs;
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 15_000)) {
    try {
      await backend.cancel(ids);
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      logger.warn(`cancel failed, retrying in ${delay / 1000} s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Polls until none of `ids` is listed as alive; resolves the ids still alive at the deadline. */
async function waitUntilEnded(backend: Backend, ids: readonly string[], timeoutMs: number, logger: Logger): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = [...ids];
  for (;;) {
    try {
      const report = await backend.status(alive);
      alive = alive.filter((id) => {
        const status = report.get(id);
        return status !== undefined && !isTerminal(status.state);
      });
    } catch (error) {
      logger.warn(`status query failed: ${(error as Error).message}`);
    }
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function removeTempDirs(record: ClusterRecord, rebuilt: RebuiltBackend, logger: Logger): Promise<void> {
  for (const dir of record.localTempDirs) await rm(dir, { recursive: true, force: true });
  if (record.runnerTempDirs.length === 0) return;
  const result = await rebuilt.runner.run("rm", ["-rf", "--", ...record.runnerTempDirs]);
  if (result.exitCode !== 0) logger.warn(`could not remove ${record.runnerTempDirs.join(" ")}: ${result.stderr.trim()}`);
}
