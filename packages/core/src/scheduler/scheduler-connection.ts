import { SchedulerRpcError } from "../errors.js";
import { DaskComm } from "./dask-comm.js";
import { isErrorReply, RpcClient, type RpcOptions } from "./rpc-client.js";
import { toWorkerList, type WorkerInfo } from "./worker-info.js";
import { toWorkerLoads, type WorkerLoad } from "./worker-load.js";
import { WorkerStatusStream } from "./worker-status-stream.js";

/** The preload's handler that subscribes to worker status under a name of the subscriber's choosing. */
const NAMED_SUBSCRIBE = "daskq_subscribe_worker_status";

/** The scheduler's `identity` reply, in daskq's terms. */
export interface SchedulerIdentity {
  readonly id: string;
  readonly address: string;
  /** The dashboard's port when the scheduler serves one. */
  readonly dashboardPort: number | undefined;
  readonly workers: WorkerInfo[];
  /** The raw reply, for fields daskq does not model. */
  readonly raw: Record<string, unknown>;
}

/** Arguments of `workers_to_close`. */
export interface WorkersToCloseOptions {
  /** Close this many workers. */
  readonly n?: number;
  /** Keep this many workers. */
  readonly target?: number;
  readonly memoryRatio?: number;
  readonly minimum?: number;
}

/** Which workers to retire: by name or by address (not both). */
/** Tasks that ask for the same resources (`resources={"GPU": 1}`): how many wait for a worker that has them, how many run. */
export interface ResourceDemand {
  readonly resources: Readonly<Record<string, number>>;
  readonly unrunnable: number;
  readonly processing: number;
}

export type RetireSelector = { readonly names: readonly string[] } | { readonly workers: readonly string[] };

/** `retire_workers` options: close the workers (default true) and remove them from the scheduler (default true). */
export interface RetireMode {
  readonly closeWorkers?: boolean;
  readonly remove?: boolean;
}

/**
 * The cluster manager's view of a Dask scheduler: the RPCs daskq needs, over a reused connection.
 */
export class SchedulerConnection {
  private readonly rpc: RpcClient;

  constructor(
    /** Scheduler address, e.g. `tcp://127.0.0.1:8786`. */
    readonly address: string,
    private readonly options: RpcOptions = {},
  ) {
    this.rpc = new RpcClient(address, options);
  }

  /** Open RPC connections; exposed so tests can verify connection reuse. */
  get openConnections(): number {
    return this.rpc.openConnections;
  }

  /** Calls any scheduler handler; an error reply rejects with `SchedulerRpcError`. */
  call<T = unknown>(op: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    return this.rpc.call<T>(op, args, timeoutMs);
  }

  /** Who the scheduler is and which workers it has. */
  async identity(): Promise<SchedulerIdentity> {
    const raw = await this.rpc.call<Record<string, unknown>>("identity");
    const services = (raw["services"] ?? {}) as Record<string, unknown>;
    return {
      id: String(raw["id"] ?? ""),
      address: String(raw["address"] ?? this.address),
      dashboardPort: typeof services["dashboard"] === "number" ? services["dashboard"] : undefined,
      workers: toWorkerList(raw["workers"]),
      raw,
    };
  }

  /** Every worker with its memory and the tasks it runs, from ONE `identity` call. */
  async workerLoads(): Promise<WorkerLoad[]> {
    const raw = await this.rpc.call<Record<string, unknown>>("identity");
    return toWorkerLoads(raw["workers"]);
  }

  /** The scheduler's `distributed` version (from the `versions` handler), e.g. `2022.12.1+ds.1`. */
  async distributedVersion(): Promise<string | undefined> {
    const reply = (await this.rpc.call<Record<string, unknown> | null>("versions")) ?? {};
    const packages = (reply["packages"] ?? (reply["scheduler"] as Record<string, unknown> | undefined)?.["packages"]) as Record<string, unknown> | undefined;
    return typeof packages?.["distributed"] === "string" ? packages["distributed"] : undefined;
  }

  /**
   * The scheduler's wish for the cluster size. distributed 2022.12 returns a THREAD count, newer
   * versions a WORKER count: see `Adaptive` for the conversion.
   */
  async adaptiveTarget(targetDuration = 5): Promise<number> {
    return Number(await this.rpc.call("adaptive_target", { target_duration: targetDuration }));
  }

  /**
   * What tasks with resource restrictions need: per distinct restriction, how many such tasks are
   * unrunnable (no current worker provides it) and how many are processing on workers. Only a
   * scheduler started with daskq's preload (`SCHEDULER_PRELOAD`) answers; others reject the
   * unknown operation.
   */
  async resourceDemand(): Promise<ResourceDemand[]> {
    const reply = await this.rpc.call<unknown[] | null>("daskq_resource_demand");
    return (reply ?? []).map((entry) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const resources = Object.fromEntries(Object.entries((e["resources"] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Number(v)]));
      return { resources, unrunnable: Number(e["unrunnable"] ?? 0), processing: Number(e["processing"] ?? 0) };
    });
  }

  /** Names of the workers that can be closed (idle, least data first). */
  async workersToClose(options: WorkersToCloseOptions = {}): Promise<string[]> {
    const args: Record<string, unknown> = { attribute: "name" };
    if (options.n !== undefined) args["n"] = options.n;
    if (options.target !== undefined) args["target"] = options.target;
    if (options.memoryRatio !== undefined) args["memory_ratio"] = options.memoryRatio;
    if (options.minimum !== undefined) args["minimum"] = options.minimum;
    const reply = await this.rpc.call<unknown[]>("workers_to_close", args);
    return (reply ?? []).map(String);
  }

  /**
   * Retires workers gracefully: their data moves to the survivors first, then they close.
   * Resolves the addresses actually retired. With `{ closeWorkers: false, remove: false }` the
   * workers only drain: they take no new task and their data moves, but they stay connected
   * (status `closing_gracefully`) and finish the tasks they run.
   */
  async retireWorkers(selector: RetireSelector, timeoutMs = 120_000, mode: RetireMode = {}): Promise<string[]> {
    const args: Record<string, unknown> = { close_workers: mode.closeWorkers ?? true, remove: mode.remove ?? true };
    if ("names" in selector) args["names"] = [...selector.names];
    else args["workers"] = [...selector.workers];
    const reply = await this.rpc.call<Record<string, unknown> | null>("retire_workers", args, timeoutMs);
    return Object.keys(reply ?? {});
  }

  /**
   * The handlers daskq's scheduler preload (`SCHEDULER_PRELOAD`) added to this scheduler; empty when
   * it was started without it (e.g. a scheduler daskq attaches to). Asked through `get_metadata`,
   * which every scheduler answers: an unknown operation would get no answer at all.
   */
  async preloadHandlers(): Promise<string[]> {
    const reply = await this.rpc.call<Record<string, unknown> | null>("get_metadata", { keys: ["daskq", "preload"], default: null });
    const handlers = reply?.["handlers"];
    return Array.isArray(handlers) ? handlers.map(String) : [];
  }

  /**
   * Opens a live stream of worker add/remove events on its own connection.
   *
   * With `name`, and when the scheduler has daskq's preload, the subscription is registered under
   * that name (`daskq_subscribe_worker_status`), so subscribers with different names do not disturb
   * each other. Otherwise it is distributed's `subscribe_worker_status`, which every subscriber
   * shares: the latest one replaces the stream of the others, which then hear nothing more
   * (`WorkerStatusStream.named` says which one was opened).
   */
  async subscribeWorkerStatus(name?: string): Promise<WorkerStatusStream> {
    const named = name !== undefined && (await this.preloadHandlers()).includes(NAMED_SUBSCRIBE);
    const comm = await DaskComm.connect(this.address, this.options);
    try {
      await comm.write(named ? { op: NAMED_SUBSCRIBE, name, reply: true } : { op: "subscribe_worker_status", reply: true });
      const identity = await comm.read(this.options.callTimeoutMs ?? 30_000);
      if (isErrorReply(identity)) throw new SchedulerRpcError(named ? NAMED_SUBSCRIBE : "subscribe_worker_status", String(identity.exception_text ?? ""), String(identity.traceback_text ?? ""));
      return new WorkerStatusStream(comm, (identity as Record<string, unknown> | null)?.["workers"], named);
    } catch (error) {
      comm.close();
      throw error;
    }
  }

  /** Shuts the scheduler down (and with it, workers that follow it). The socket closing is success. */
  terminate(): Promise<void> {
    return this.rpc.callUntilClosed("terminate");
  }

  /** Closes this client's connections (the scheduler keeps running). */
  close(): void {
    this.rpc.close();
  }
}
