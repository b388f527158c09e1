import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { constants } from "node:os";
import { TERMINAL_TASK_STATES, type MesosTaskState, type TaskJson } from "./marathon-json.js";

/** What a task is launched with. */
export interface TaskLaunch {
  readonly id: string;
  readonly appId: string;
  readonly version: string;
  readonly host: string;
  readonly slaveId: string;
  readonly ports: readonly number[];
  /** `/bin/sh -c <cmd>`, as Mesos' command executor runs it. */
  readonly cmd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The task's sandbox: its working directory, with `stdout` and `stderr` files. */
  readonly sandbox: string;
  /** Time in STAGING before the process starts (fetching, container setup). */
  readonly stagingMs: number;
  /** SIGTERM -> SIGKILL delay when killed (`taskKillGracePeriodSeconds`). */
  readonly killGraceMs: number;
}

/**
 * One Mesos task of the Marathon EMULATOR: a real local process (`/bin/sh -c cmd`, in its own
 * process group) going through the states of Mesos' command executor (apache/mesos
 * src/launcher/executor.cpp): STAGING, STARTING, RUNNING, then FINISHED on exit 0, KILLED when it
 * was killed (SIGTERM to the process group, SIGKILL after the grace period, with TASK_KILLING in
 * between), FAILED otherwise, with the executor's message `Command exited with status N` or
 * `Command terminated with signal SIGX`.
 */
export class EmulatedTask {
  state: MesosTaskState = "TASK_STAGING";
  readonly stagedAt = new Date();
  startedAt: Date | undefined;
  /** Mesos' status message of the last update (set when the task ends). */
  message = "";
  /** A kill was asked for (by the API or a scale-down). */
  killRequested = false;
  private process: ChildProcess | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly launch: TaskLaunch,
    private readonly onUpdate: (task: EmulatedTask) => void,
  ) {
    this.timers.push(setTimeout(() => this.start(), launch.stagingMs));
  }

  get id(): string {
    return this.launch.id;
  }

  get terminal(): boolean {
    return TERMINAL_TASK_STATES.has(this.state);
  }

  /** The process id, while the process lives. */
  get pid(): number | undefined {
    return this.terminal ? undefined : this.process?.pid;
  }

  /** Kills the task: at once while staging, else SIGTERM to its process group, SIGKILL after the grace period. */
  kill(): void {
    if (this.terminal || this.killRequested) return;
    this.killRequested = true;
    if (!this.process) {
      this.finish("TASK_KILLED", "Killed before the task was launched");
      return;
    }
    this.update("TASK_KILLING");
    this.signal("SIGTERM");
    this.timers.push(setTimeout(() => this.signal("SIGKILL"), this.launch.killGraceMs));
  }

  /** `task.Task` JSON. */
  toJson(): TaskJson {
    return {
      id: this.id,
      appId: this.launch.appId,
      host: this.launch.host,
      ports: [...this.launch.ports],
      servicePorts: [],
      slaveId: this.launch.slaveId,
      state: this.state,
      stagedAt: this.stagedAt.toISOString(),
      ...(this.startedAt ? { startedAt: this.startedAt.toISOString() } : {}),
      version: this.launch.version,
      ipAddresses: [{ ipAddress: "127.0.0.1", protocol: "IPv4" }],
      role: "*",
    };
  }

  private start(): void {
    if (this.terminal) return;
    const out = openSync(join(this.launch.sandbox, "stdout"), "a");
    const err = openSync(join(this.launch.sandbox, "stderr"), "a");
    try {
      this.process = spawn("/bin/sh", ["-c", this.launch.cmd], {
        cwd: this.launch.sandbox,
        env: { ...this.launch.env },
        detached: true,
        stdio: ["ignore", out, err],
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    this.process.on("error", (error) => this.finish("TASK_FAILED", `Failed to launch the command: ${error.message}`));
    this.process.on("exit", (code, signal) => {
      const status = signal ? `terminated with signal ${signal}` : `exited with status ${code ?? 0}`;
      const state = code === 0 && !signal ? "TASK_FINISHED" : this.killRequested ? "TASK_KILLED" : "TASK_FAILED";
      this.finish(state, `Command ${status}`);
    });
    this.update("TASK_STARTING");
    this.startedAt = new Date();
    this.update("TASK_RUNNING");
  }

  private signal(name: "SIGTERM" | "SIGKILL"): void {
    const pid = this.process?.pid;
    if (pid === undefined || this.terminal) return;
    try {
      process.kill(-pid, constants.signals[name]);
    } catch {
      // The group is gone already.
    }
  }

  private finish(state: MesosTaskState, message: string): void {
    if (this.terminal) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.message = message;
    // The executor kills what is left of the process tree when the task ends.
    this.signal("SIGKILL");
    this.update(state);
  }

  private update(state: MesosTaskState): void {
    this.state = state;
    this.onUpdate(this);
  }
}
