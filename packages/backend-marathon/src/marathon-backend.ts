import { silentLogger, type Backend, type BackendCapabilities, type JobStatus, type Logger, type SubmitRequest } from "@daskq/core";
import type { MarathonClient } from "./marathon-client.js";
import { marathonAppDefinition } from "./marathon-app.js";
import type { MarathonOptions } from "./marathon-options.js";
import { TaskSlots } from "./task-slots.js";

/**
 * Dask workers as the tasks of ONE Marathon app per cluster (`<app-id-prefix><cluster id>`),
 * created with `instances: 0` at the first submit. Scaling up is ONE `PUT /v2/apps/{id}`; cancelling
 * is ONE `POST /v2/tasks/delete?scale=true` for exactly the tasks of the cancelled jobs; a status
 * poll is ONE `GET /v2/apps/{id}?embed=app.tasks&embed=app.lastTaskFailure`; close deletes the app.
 *
 * Jobs are task slots (see `TaskSlots`). Marathon relaunches a task that ends on its own; daskq
 * instead reports the job as failed (with Marathon's `lastTaskFailure` message) and removes the
 * relaunched task, so core's start-failure limit applies as on any batch system: after the limit
 * the app is left with 0 instances, not in an endless relaunch loop.
 */
export class MarathonBackend implements Backend {
  readonly name = "marathon";
  /** `count` workers in ONE request (an instance count). */
  readonly capabilities: BackendCapabilities = { arrays: true };
  private readonly slots: TaskSlots;
  private created = false;
  /** The app's definition without `instances`, as last sent. */
  private config = "";
  /** Requests of this backend run one after another, so `instances` is always computed from a settled state. */
  private queue: Promise<unknown> = Promise.resolve();
  private madeClient: MarathonClient | undefined;

  constructor(
    private readonly makeClient: () => MarathonClient,
    readonly appId: string,
    private readonly clusterId: string,
    private readonly options: MarathonOptions,
    private readonly logger: Logger = silentLogger,
  ) {
    this.slots = new TaskSlots(appId);
  }

  private get client(): MarathonClient {
    this.madeClient ??= this.makeClient();
    return this.madeClient;
  }

  /** Checks that Marathon answers (and accepts the credentials) before the first submit. */
  prepare(): Promise<void> {
    return this.serial(async () => {
      await this.client.getApp(this.appId);
    });
  }

  submit(request: SubmitRequest): Promise<string[]> {
    return this.serial(async () => {
      const definition = marathonAppDefinition(this.appId, request.spec, request.worker, this.options, this.clusterId);
      const config = JSON.stringify({ ...definition, instances: 0 });
      if (!this.created) {
        const app = await this.client.createApp(definition);
        this.created = true;
        this.config = config;
        // Its (empty) start deployment locks the app for a moment: let it end, so the scale is ONE PUT.
        await this.client.waitForDeployments((app.deployments ?? []).map((d) => d.id));
      }
      const ids = this.slots.add(request.count);
      try {
        if (config === this.config) await this.client.scaleApp(this.appId, this.slots.wanted);
        else {
          // One app holds one worker definition: a different one replaces it, and Marathon restarts the app's tasks.
          this.logger.info(`marathon: the worker definition changed: updating ${this.appId}, whose tasks Marathon restarts`);
          await this.client.updateApp(this.appId, { ...definition, instances: this.slots.wanted });
          this.config = config;
        }
      } catch (error) {
        this.slots.fail(ids, (error as Error).message);
        throw error;
      }
      return ids;
    });
  }

  status(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return this.serial(async () => {
      const report = new Map<string, JobStatus>();
      if (!this.created) return report;
      const app = await this.client.getApp(this.appId, ["app.tasks", "app.lastTaskFailure"]);
      if (!app) {
        this.slots.loseAll(`the Marathon app ${this.appId} no longer exists`);
        return report;
      }
      const { extraTasks } = this.slots.observe(app);
      await this.keepInstancesToSlots(app.instances, extraTasks);
      const tasks = new Map((app.tasks ?? []).map((t) => [t.id, t]));
      for (const id of ids) {
        const slot = this.slots.get(id);
        if (slot) report.set(id, this.slots.status(slot, tasks));
      }
      return report;
    });
  }

  cancel(ids: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const { tasks, empty } = this.slots.cancel(ids);
      if (!this.created) return;
      if (tasks.length > 0) await this.client.killTasksAndScale(tasks);
      if (empty > 0) await this.client.scaleApp(this.appId, this.slots.wanted);
    });
  }

  /**
   * Marathon's failure message, then the end of the task's stderr from its Mesos agent (the error
   * line of a worker that could not start: Marathon itself keeps no output).
   */
  async logTail(id: string, lines: number): Promise<string | undefined> {
    const slot = this.slots.get(id);
    if (!slot?.ended?.reason || slot.ended.state !== "failed") return undefined;
    const head = `Marathon: ${slot.ended.reason}${slot.taskId ? ` (task ${slot.taskId}${slot.host ? ` on ${slot.host}` : ""})` : ""}`;
    if (!slot.taskId || !slot.host) return head;
    try {
      const stderr = await this.client.sandboxTail(this.options.agentUrl.replaceAll("{host}", slot.host), slot.taskId, "stderr", 16_384);
      const tail = stderr?.trimEnd().split("\n").slice(-lines).join("\n");
      return tail ? `${head}\n${tail}` : head;
    } catch (error) {
      this.logger.debug(`marathon: could not read the sandbox of task ${slot.taskId}: ${(error as Error).message}`);
      return head;
    }
  }

  /** A worker is named after its task (`$MESOS_TASK_ID`): its job is the slot that task fills. */
  jobOfWorker(workerName: string): string | undefined {
    const prefix = `${this.appId.replace(/^\//, "").replaceAll("/", "_")}.`;
    if (!workerName.startsWith(prefix)) return undefined;
    return this.slots.slotOfTask(workerName)?.id;
  }

  /**
   * Deletes the app (all its tasks go in that one request) and waits until Marathon has killed them.
   * Also when this backend did not create it: a backend rebuilt to clean up after a dead owner
   * (`daskq cleanup`, the watchdog) knows the app by the cluster id alone.
   */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.options.url === undefined) return;
      const result = await this.client.deleteApp(this.appId);
      this.created = false;
      this.slots.loseAll("the cluster was closed");
      if (result && !(await this.client.waitForDeployments([result.deploymentId]))) {
        this.logger.warn(`marathon: the deletion of ${this.appId} (deployment ${result.deploymentId}) has not finished yet`);
      }
    });
  }

  /**
   * Brings `instances` back to the number of live slots: kills the extra tasks with `scale=true`
   * (a relaunch of a failed task), or sets `instances` when a failed job's relaunch has not started
   * yet. These requests stop a crash loop, so they may cancel daskq's own deployment of this app,
   * which cannot finish while its tasks keep failing. Errors are logged: the next poll tries again.
   */
  private async keepInstancesToSlots(instances: number, extraTasks: readonly string[]): Promise<void> {
    try {
      let left = instances;
      if (extraTasks.length > 0) {
        this.logger.info(`marathon: removing ${extraTasks.length} task(s) Marathon relaunched for failed jobs: ${extraTasks.join(" ")}`);
        await this.client.killTasksAndScale(extraTasks, { overrideOwnDeployments: true });
        left -= extraTasks.length;
      }
      if (left !== this.slots.wanted) await this.client.scaleApp(this.appId, this.slots.wanted, { overrideOwnDeployments: true });
    } catch (error) {
      this.logger.warn(`marathon: could not bring ${this.appId} to ${this.slots.wanted} instance(s): ${(error as Error).message}`);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
