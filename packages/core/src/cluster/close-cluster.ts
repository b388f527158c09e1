import type { Logger } from "../logger.js";
import { removeClusterTls } from "../security/cluster-tls-setup.js";
import type { ClusterParts, PartialCluster } from "./cluster-setup.js";
import type { ClusterScaling } from "./cluster-scaling.js";
import type { OwnWorkers } from "./own-workers.js";

/**
 * Closes a cluster: marks its state file closing (a death from here on is still cleaned up),
 * stops adaptivity, cancels every pool's jobs (queued first, one backend call per pool) and waits
 * for the batch systems to confirm, sees its workers leave, stops the scheduler if daskq started
 * it, releases each pool (backend, output directory, runner) and the TLS files, and removes the
 * state file.
 */
export async function closeCluster(parts: ClusterParts, own: OwnWorkers, scaling: ClusterScaling, closeTimeoutMs: number, logger: Logger): Promise<void> {
  const { connection, scheduler, pools, watch, ownership } = parts;
  await ownership.closing();
  await scaling.stop();
  await Promise.all(
    pools.map(async (pool) => {
      try {
        const left = await pool.cancelAll(closeTimeoutMs);
        if (left.length > 0) logger.warn(`jobs still alive after close: ${left.join(" ")}; check them with your batch system`);
      } catch (error) {
        logger.error(`cancelling jobs${pools.length > 1 ? ` of pool ${pool.name}` : ""} failed: ${(error as Error).message}`);
      }
    }),
  );
  await own.seeThemLeave();
  watch.close();
  connection.close();
  await scheduler?.stop();
  for (const pool of pools) await pool.release();
  await removeClusterTls(parts.tls);
  await ownership.closed();
}

/** Releases what a cluster whose creation failed had made so far (no job was submitted yet). */
export async function abandonSetup(made: PartialCluster): Promise<void> {
  const { pools, schedulerBackend } = made;
  made.watch?.close();
  for (const pool of pools) await pool.parts.backend.close?.();
  made.connection?.close();
  await made.scheduler?.stop();
  if (schedulerBackend && !pools.some((pool) => pool.parts.backend === schedulerBackend)) await schedulerBackend.close?.();
  for (const setup of made.setups) if (setup.ownsRunner) await setup.runner.close();
  await removeClusterTls(made.tls);
  await made.ownership?.closed();
}
