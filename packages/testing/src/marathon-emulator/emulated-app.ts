import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { EmulatedTask } from "./emulated-task.js";
import { FAILURE_TASK_STATES, type PortDefinitionJson, type TaskFailureJson } from "./marathon-json.js";

/** The app definition fields the emulator keeps (the rest of a posted definition is stored as is). */
export interface AppDefinition {
  readonly id: string;
  readonly cmd: string | null;
  readonly args: readonly string[] | null;
  readonly instances: number;
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly constraints: readonly (readonly string[])[];
  readonly container: unknown;
  readonly portDefinitions: readonly PortDefinitionJson[];
  readonly backoffSeconds: number;
  readonly backoffFactor: number;
  readonly maxLaunchDelaySeconds: number;
  readonly taskKillGracePeriodSeconds: number | null;
  /** Anything else the client sent, echoed back. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** What the apps share: the emulated agent. */
export interface AgentSettings {
  readonly host: string;
  readonly slaveId: string;
  /** Where task sandboxes go. */
  readonly workDir: string;
  readonly stagingMs: number;
  /** Allocates a free host port (Mesos offers ports; the emulator takes free ones). */
  readonly allocatePort: () => Promise<number>;
  /** Environment every task inherits (PATH, HOME), like the agent's. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Called after any task update, to re-check deployments. */
  readonly changed: () => void;
}

/**
 * One Marathon app in the EMULATOR: its definition, its live tasks and what Marathon does to keep
 * `instances` of them: launch the missing ones, kill the extra ones (STAGING first, then the
 * youngest, as core/deployment/ScalingProposition.scala orders them), and RELAUNCH tasks that end
 * on their own, after a delay that starts at `backoffSeconds` and grows by `backoffFactor` with
 * each consecutive end, up to `maxLaunchDelaySeconds`. Failures are kept as `lastTaskFailure`.
 */
export class EmulatedApp {
  /** Live (not terminal) tasks. */
  readonly tasks = new Map<string, EmulatedTask>();
  lastTaskFailure: TaskFailureJson | undefined;
  version = new Date().toISOString();
  lastScalingAt = this.version;
  lastConfigChangeAt = this.version;
  private launchDelayMs = 0;
  private nextLaunchAt = 0;
  private launchTimer: NodeJS.Timeout | undefined;
  private launching = 0;
  private deleted = false;

  constructor(
    public definition: AppDefinition,
    private readonly agent: AgentSettings,
  ) {}

  get id(): string {
    return this.definition.id;
  }

  /** Tasks that are not being killed. */
  get activeTasks(): EmulatedTask[] {
    return [...this.tasks.values()].filter((t) => !t.killRequested);
  }

  /** Replaces the definition (a PUT). A change beyond `instances` is a new config: tasks restart. */
  update(next: AppDefinition): void {
    const now = new Date().toISOString();
    const configChanged = JSON.stringify({ ...this.definition, instances: 0 }) !== JSON.stringify({ ...next, instances: 0 });
    this.definition = next;
    this.version = now;
    if (configChanged) {
      this.lastConfigChangeAt = now;
      this.launchDelayMs = 0;
      this.nextLaunchAt = 0;
      for (const task of this.tasks.values()) task.kill();
    } else {
      this.lastScalingAt = now;
    }
    this.reconcile();
  }

  /** Kills every task and launches no more (the app is being deleted). */
  destroy(): void {
    this.deleted = true;
    clearTimeout(this.launchTimer);
    for (const task of this.tasks.values()) task.kill();
  }

  /** Kills these tasks; with `scale`, `instances` drops by their number first (no relaunch). */
  killTasks(tasks: readonly EmulatedTask[], scale: boolean): void {
    if (scale) {
      this.definition = { ...this.definition, instances: Math.max(0, this.definition.instances - tasks.length) };
      this.version = this.lastScalingAt = new Date().toISOString();
    }
    for (const task of tasks) task.kill();
    if (!scale) this.reconcile();
  }

  /** Launches or kills tasks toward `instances`. */
  reconcile(): void {
    if (this.deleted) return;
    const active = this.activeTasks;
    const wanted = this.definition.instances;
    if (active.length > wanted) {
      for (const task of killOrder(active).slice(0, active.length - wanted)) task.kill();
      return;
    }
    const missing = wanted - active.length - this.launching;
    if (missing <= 0) return;
    const wait = this.nextLaunchAt - Date.now();
    if (wait > 0) {
      clearTimeout(this.launchTimer);
      this.launchTimer = setTimeout(() => this.reconcile(), wait);
      return;
    }
    for (let i = 0; i < missing; i++) void this.launchOne();
  }

  private async launchOne(): Promise<void> {
    this.launching++;
    try {
      const definitions = this.definition.portDefinitions;
      const ports: number[] = [];
      for (let i = 0; i < definitions.length; i++) ports.push(await this.agent.allocatePort());
      if (this.deleted) return;
      const id = `${this.id.replace(/^\//, "").replaceAll("/", "_")}.instance-${randomUUID()}._app.1`;
      const sandbox = join(this.agent.workDir, id);
      mkdirSync(sandbox, { recursive: true });
      const task = new EmulatedTask(
        {
          id,
          appId: this.id,
          version: this.version,
          host: this.agent.host,
          slaveId: this.agent.slaveId,
          ports,
          cmd: this.definition.cmd ?? (this.definition.args ?? []).join(" "),
          env: { ...this.agent.baseEnv, ...this.taskEnv(id, ports, sandbox) },
          sandbox,
          stagingMs: this.agent.stagingMs,
          killGraceMs: (this.definition.taskKillGracePeriodSeconds ?? 3) * 1000,
        },
        (t) => this.onTaskUpdate(t),
      );
      this.tasks.set(id, task);
    } finally {
      this.launching--;
    }
    this.agent.changed();
  }

  /** The variables of docs/docs/task-environment-vars.md. */
  private taskEnv(id: string, ports: readonly number[], sandbox: string): Record<string, string> {
    const d = this.definition;
    const env: Record<string, string> = {
      ...d.env,
      MESOS_TASK_ID: id,
      MESOS_SANDBOX: sandbox,
      HOST: this.agent.host,
      MARATHON_APP_ID: d.id,
      MARATHON_APP_VERSION: this.version,
      MARATHON_APP_RESOURCE_CPUS: String(d.cpus),
      MARATHON_APP_RESOURCE_MEM: String(d.mem),
      MARATHON_APP_RESOURCE_DISK: String(d.disk),
      MARATHON_APP_LABELS: Object.keys(d.labels).join(" "),
    };
    for (const [key, value] of Object.entries(d.labels)) env[`MARATHON_APP_LABEL_${key.replace(/[^a-zA-Z0-9_]/g, "_")}`] = value;
    if (ports.length > 0) {
      env["PORTS"] = ports.join(",");
      env["PORT"] = String(ports[0]);
    }
    ports.forEach((port, i) => {
      env[`PORT${i}`] = String(port);
      const name = d.portDefinitions[i]?.name;
      if (name) env[`PORT_${name.toUpperCase()}`] = String(port);
    });
    return env;
  }

  private onTaskUpdate(task: EmulatedTask): void {
    if (task.terminal) {
      this.tasks.delete(task.id);
      if (FAILURE_TASK_STATES.has(task.state)) {
        this.lastTaskFailure = {
          appId: this.id,
          host: task.launch.host,
          message: task.message,
          state: task.state,
          taskId: task.id,
          timestamp: new Date().toISOString(),
          version: task.launch.version,
          slaveId: task.launch.slaveId,
        };
      }
      if (!task.killRequested) this.backOff();
      this.reconcile();
    }
    this.agent.changed();
  }

  /** A task ended on its own: the next launch waits, longer with each end in a row. */
  private backOff(): void {
    const d = this.definition;
    this.launchDelayMs =
      this.launchDelayMs === 0 ? d.backoffSeconds * 1000 : Math.min(this.launchDelayMs * d.backoffFactor, d.maxLaunchDelaySeconds * 1000);
    this.nextLaunchAt = Date.now() + this.launchDelayMs;
  }
}

/** Marathon's kill order: STAGING, then STARTING, then RUNNING; within a state, the youngest first. */
function killOrder(tasks: readonly EmulatedTask[]): EmulatedTask[] {
  const weight = (t: EmulatedTask) => (t.state === "TASK_STAGING" ? 2 : t.state === "TASK_STARTING" ? 3 : 4);
  const since = (t: EmulatedTask) => (t.startedAt ?? t.stagedAt).getTime();
  return [...tasks].sort((a, b) => weight(a) - weight(b) || since(b) - since(a));
}
