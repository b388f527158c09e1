import { rm } from "node:fs/promises";
import type { DependencyContainer } from "tsyringe";
import type { Backend } from "../backend/backend.js";
import { isAuthenticationError } from "../errors.js";
import { isTerminal } from "../job/job-state.js";
import type { Logger } from "../logger.js";
import { writeFileAtomic } from "../atomic-file.js";
import { backendFromRecord, type RebuiltBackend } from "./backend-from-record.js";
import { poolParts, type CleanupReport, type ClusterRecord } from "./cluster-record.js";

/** Limits of a cleanup. */
export interface CleanupOptions {
  readonly logger: Logger;
  /** Keep retrying a failing cancel (the batch system is down) this long. Default 600 000 ms. */
  readonly cancelRetryMs?: number;
  /** Wait this long for the batch system to confirm that the jobs ended. Default 60 000 ms. */
  readonly confirmMs?: number;
  /** The backends, when already rebuilt (the watchdog prepares them before they are needed), in the order of `poolParts`. */
  readonly rebuilt?: ReadonlyArray<RebuiltBackend | undefined>;
  readonly container?: DependencyContainer;
}

/** What the cleanup of one pool's part left. */
interface PartResult {
  readonly cancelled: readonly string[];
  readonly left: readonly string[];
  readonly error?: string;
}

/**
 * Cleans up what a dead cluster left: for each of its pools (one for most clusters; see
 * `poolParts`), through that pool's own backend, cancels every recorded job in ONE backend call,
 * queued jobs first, retrying while the batch system is unreachable, and waits until the batch
 * system confirms; removes the cluster's temporary directories; and rewrites the state file as
 * `cleaned` with a report. Pools are cleaned side by side. The caller must have made sure that the
 * owner is dead.
 *
 * Refused credentials (`AuthenticationError`) are not retried: that pool's cleanup stops at once,
 * and the report's error says so, for `daskq ls` to show. After any failure of a pool (closing its
 * backend included) every job of that pool stays recorded, for `daskq cleanup` to try again.
 */
export async function cleanUpCluster(path: string, record: ClusterRecord, options: CleanupOptions): Promise<ClusterRecord> {
  const parts = poolParts(record);
  const results = await Promise.all(parts.map((part, i) => cleanUpPart(part, options.rebuilt?.[i], options)));
  const errors = results.flatMap((r) => (r.error === undefined ? [] : [r.error]));
  const report: CleanupReport = {
    at: new Date().toISOString(),
    cancelled: results.flatMap((r) => r.cancelled),
    left: results.flatMap((r) => r.left),
    ...(errors.length > 0 ? { error: errors.join("; ") } : {}),
  };
  const leftOf = (part: ClusterRecord, result: PartResult) => ({
    jobs: part.jobs.filter((j) => result.left.includes(j.id)),
    runnerTempDirs: result.error === undefined ? [] : part.runnerTempDirs,
  });
  const first = results[0] as PartResult;
  const cleaned: ClusterRecord = {
    ...record,
    phase: errors.length === 0 ? "cleaned" : record.phase,
    ...leftOf(record, first),
    localTempDirs: first.error === undefined ? [] : record.localTempDirs,
    ...(record.pools ? { pools: record.pools.map((pool, i) => ({ ...pool, ...leftOf(parts[i + 1] as ClusterRecord, results[i + 1] as PartResult) })) } : {}),
    cleanup: report,
  };
  await writeFileAtomic(path, `${JSON.stringify(cleaned, null, 1)}\n`);
  return cleaned;
}

/** Cancels one pool's jobs through its own backend (rebuilt unless given) and removes its directories. */
async function cleanUpPart(part: ClusterRecord, given: RebuiltBackend | undefined, options: CleanupOptions): Promise<PartResult> {
  const { logger } = options;
  const ids = [...part.jobs.filter((j) => j.state === "queued"), ...part.jobs.filter((j) => j.state !== "queued")].map((j) => j.id);
  let result: PartResult = { cancelled: [], left: ids };
  let rebuilt = given;
  let closed = false;
  try {
    if (ids.length > 0 || part.runnerTempDirs.length > 0) {
      rebuilt ??= await backendFromRecord(part, logger, options.container);
      if (ids.length > 0) {
        await cancelWithRetry(rebuilt.backend, ids, options.cancelRetryMs ?? 600_000, logger);
        logger.info(`cancelled ${ids.length} job(s) of ${part.clusterId}: ${ids.join(" ")}`);
        const left = await waitUntilEnded(rebuilt.backend, ids, options.confirmMs ?? 60_000, logger);
        result = { cancelled: ids, left };
      }
      await removeRunnerDirs(part, rebuilt, logger);
      // Closing is part of the cleanup: some backends end the cluster's jobs there (Marathon deletes its app).
      closed = true;
      await rebuilt.backend.close?.();
    }
    for (const dir of part.localTempDirs) await rm(dir, { recursive: true, force: true });
  } catch (error) {
    const message = isAuthenticationError(error)
      ? `${(error as Error).message}. Refused credentials are not retried, and the jobs stay recorded: cancel ${ids.join(" ") || "them"} by hand, or run daskq cleanup where the backend can authenticate (a secret written in a config file is not kept in the state file)`
      : (error as Error).message;
    // Nothing is known to be gone: every job stays recorded, for daskq cleanup to try again.
    result = { ...result, left: ids, error: `${part.clusterId}: ${message}` };
    logger.error(`cleanup of ${part.clusterId} failed: ${message}`);
  } finally {
    if (!closed) await rebuilt?.backend.close?.().catch(() => undefined);
    await rebuilt?.runner.close().catch(() => undefined);
  }
  return result;
}

async function cancelWithRetry(backend: Backend, ids: readonly string[], retryMs: number, logger: Logger): Promise<void> {
  const deadline = Date.now() + retryMs;
  for (let delay = 1_000; ; delay = Math.min(delay * 2, 15_000)) {
    try {
      await backend.cancel(ids);
      return;
    } catch (error) {
      if (isAuthenticationError(error) || Date.now() + delay > deadline) throw error;
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

async function removeRunnerDirs(part: ClusterRecord, rebuilt: RebuiltBackend, logger: Logger): Promise<void> {
  if (part.runnerTempDirs.length === 0) return;
  const result = await rebuilt.runner.run("rm", ["-rf", "--", ...part.runnerTempDirs]);
  if (result.exitCode !== 0) logger.warn(`could not remove ${part.runnerTempDirs.join(" ")}: ${result.stderr.trim()}`);
}
