import { fileURLToPath } from "node:url";

/**
 * The Python file daskq passes to a scheduler it starts on this machine (`--preload`): it adds the
 * `daskq_resource_demand` handler (see `SchedulerConnection.resourceDemand`) and
 * `daskq_subscribe_worker_status` (a worker status subscription under the subscriber's own name,
 * see `WorkerWatch`). Start a scheduler that several daskq processes attach to with
 * `--preload <this path>` to give each of them live worker events.
 */
export const SCHEDULER_PRELOAD = fileURLToPath(new URL("../../python/daskq_scheduler_preload.py", import.meta.url));
