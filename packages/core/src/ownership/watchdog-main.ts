/**
 * The watchdog process (see `startWatchdog`): `node watchdog-main.js <state file> <owner pid>`.
 * It prepares the cluster's backends (one per pool) while it waits, so that the cleanup starts at once.
 */
import "reflect-metadata";
import type { Logger } from "../logger.js";
import { backendFromRecord, type RebuiltBackend } from "./backend-from-record.js";
import { poolParts, readClusterRecord, recordedJobs } from "./cluster-record.js";
import { cleanUpCluster } from "./clean-up-cluster.js";
import { isAlive } from "./process-identity.js";
import { CLOSED_MESSAGE } from "./watchdog.js";

const [path] = process.argv.slice(2);
const write = (level: string) => (message: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
const logger: Logger = { debug: () => undefined, info: write("info"), warn: write("warn"), error: write("error") };

async function watch(statePath: string): Promise<void> {
  const record = await readClusterRecord(statePath);
  if (!record) return;
  // One backend per pool: each pool's jobs are cancelled through its own.
  const prepared: Promise<Array<RebuiltBackend | undefined>> = Promise.all(poolParts(record).map((part) => backendFromRecord(part, logger).catch(() => undefined)));
  let released = false;
  let input = "";
  await new Promise<void>((resolve) => {
    const check = () => {
      if (released || !isAlive(record.owner)) {
        clearInterval(timer);
        process.stdin.destroy();
        resolve();
      }
    };
    const timer = setInterval(check, 500);
    // The pipe closes while the dying owner is torn down: look again soon, until it is gone.
    const soon = () => {
      check();
      setInterval(check, 50).unref();
    };
    process.stdin.on("data", (chunk: Buffer) => {
      input += chunk.toString();
      if (input.includes(CLOSED_MESSAGE)) released = true;
      check();
    });
    process.stdin.on("end", soon);
    process.stdin.on("error", soon);
  });
  if (released) return;
  const current = await readClusterRecord(statePath);
  if (!current || current.phase === "cleaned") return;
  logger.info(`owner ${record.owner.pid} of ${record.clusterId} died without closing it; cleaning up ${recordedJobs(current).length} job(s)`);
  await cleanUpCluster(statePath, current, { logger, rebuilt: await prepared });
}

if (!path) {
  logger.error("usage: watchdog-main.js <state file> <owner pid>");
  process.exitCode = 2;
} else {
  watch(path).then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error(`watchdog failed: ${(error as Error)?.stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
