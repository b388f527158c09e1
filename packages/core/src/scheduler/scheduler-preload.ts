import { fileURLToPath } from "node:url";

/**
 * The Python file daskq passes to a scheduler it starts on this machine (`--preload`) for a cluster
 * with several pools: it adds the `daskq_resource_demand` handler (see `SchedulerConnection.resourceDemand`).
 */
export const SCHEDULER_PRELOAD = fileURLToPath(new URL("../../python/daskq_scheduler_preload.py", import.meta.url));
