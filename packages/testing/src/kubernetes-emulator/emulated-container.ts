import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import type { ContainerJson } from "./pod-manifest.js";

/** Timings of the emulated kubelet, in milliseconds. */
export interface KubeletTimings {
  /** From scheduling to the container's start (sandbox, pull of a present image). */
  readonly createMs: number;
  /** First back-off after a failed pull (ImagePullBackOff), doubled each time up to `maxBackoffMs`. */
  readonly pullBackoffMs: number;
  /** First back-off of a crash loop (CrashLoopBackOff; the kubelet's is 10 s), doubled up to `maxBackoffMs`. */
  readonly crashBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How soon a container with a missing configMap/secret is tried again. */
  readonly configRetryMs: number;
}

/** What a container needs from its pod. */
export interface ContainerContext {
  readonly podName: string;
  readonly namespace: string;
  readonly uid: string;
  /** The pod's directory: working directory of its processes, home of the container logs. */
  readonly directory: string;
  readonly restartPolicy: "Always" | "OnFailure" | "Never";
  readonly timings: KubeletTimings;
  imageMissing(image: string): boolean;
  /** The container's environment, or why it cannot be made (`configmap "x" not found`). */
  resolveEnv(container: ContainerJson): { readonly env: Record<string, string> } | { readonly error: string };
  changed(): void;
}

/** `ContainerStateTerminated`. */
export interface TerminatedJson {
  readonly exitCode: number;
  readonly signal?: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAt: string | null;
  readonly finishedAt: string;
  readonly containerID: string;
}

/** `ContainerState`: exactly one member. */
export type ContainerStateJson =
  | { readonly waiting: { readonly reason: string; readonly message?: string } }
  | { readonly running: { readonly startedAt: string } }
  | { readonly terminated: TerminatedJson };

/** `ContainerStatus` (workload-resources/pod-v1.md, PodStatus.containerStatuses). */
export interface ContainerStatusJson {
  readonly name: string;
  readonly state: ContainerStateJson;
  readonly lastState: ContainerStateJson | Record<string, never>;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly image: string;
  readonly imageID: string;
  readonly containerID?: string;
  readonly started: boolean;
}

/**
 * One container of an emulated pod: its command runs as a REAL local process (argv `command` +
 * `args` after `$(VAR)` expansion, no shell, in its own process group, stdout and stderr into the
 * container log), with the kubelet's container states (kubernetes/kubernetes pkg/kubelet:
 * ContainerCreating, ErrImagePull then ImagePullBackOff for an image the emulator lists as
 * missing, CreateContainerConfigError for a missing configMap/secret reference, running,
 * terminated Completed/Error with the exit code (128+n after signal n), and restarts by
 * restartPolicy: the first at once, then CrashLoopBackOff with a doubling back-off). The image is
 * recorded, never pulled.
 */
export class EmulatedContainer {
  restartCount = 0;
  private state: ContainerStateJson = { waiting: { reason: "ContainerCreating" } };
  private lastState: ContainerStateJson | undefined;
  private process: ChildProcess | undefined;
  private containerId: string | undefined;
  private startedAt: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pullFailures = 0;
  private stopping = false;
  /** Resolves once the container's process (if any) has ended after `stop`. */
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: ContainerJson,
    private readonly context: ContainerContext,
  ) {}

  /** The process id while a process runs. */
  get pid(): number | undefined {
    return this.process?.exitCode === null && this.process.signalCode === null ? this.process.pid : undefined;
  }

  get running(): boolean {
    return "running" in this.state;
  }

  /** True while waiting for its first start (no termination recorded yet). */
  get pending(): boolean {
    return "waiting" in this.state && this.lastState === undefined;
  }

  /** The last termination, if the container has ended and will not be restarted. */
  get finalTermination(): TerminatedJson | undefined {
    return "terminated" in this.state && !this.willRestart(this.state.terminated.exitCode) ? this.state.terminated : undefined;
  }

  /** Log file of run `restart` (the current run by default). */
  logFile(restart = this.restartCount): string {
    return join(this.context.directory, `${this.spec.name}-${restart}.log`);
  }

  /** Starts the container's life (the pod was bound to the node). */
  begin(): void {
    this.schedule(this.context.timings.createMs, () => this.attempt());
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; no more restarts. Resolves when the process is gone. */
  stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const pid = this.pid;
    if (pid === undefined) return this.exited;
    signalGroup(pid, "SIGTERM");
    const kill = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
    return this.exited.finally(() => clearTimeout(kill));
  }

  toJson(): ContainerStatusJson {
    return {
      name: this.spec.name,
      state: this.state,
      lastState: this.lastState ?? {},
      ready: this.running,
      restartCount: this.restartCount,
      image: this.spec.image,
      imageID: this.containerId === undefined ? "" : imageId(this.spec.image),
      ...(this.containerId === undefined ? {} : { containerID: this.containerId }),
      started: this.running,
    };
  }

  private attempt(): void {
    if (this.stopping) return;
    const { timings } = this.context;
    if (this.context.imageMissing(this.spec.image)) {
      this.pullFailures++;
      this.set({ waiting: { reason: "ErrImagePull", message: `failed to pull and unpack image "${this.spec.image}": not found (the emulator lists this image as missing)` } });
      const backoff = Math.min(timings.maxBackoffMs, timings.pullBackoffMs * 2 ** (this.pullFailures - 1));
      this.schedule(timings.pullBackoffMs / 2, () => {
        this.set({ waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${this.spec.image}"` } });
        this.schedule(backoff, () => this.attempt());
      });
      return;
    }
    const resolved = this.context.resolveEnv(this.spec);
    if ("error" in resolved) {
      this.set({ waiting: { reason: "CreateContainerConfigError", message: resolved.error } });
      this.schedule(timings.configRetryMs, () => this.attempt());
      return;
    }
    const argv = [...(this.spec.command ?? []), ...(this.spec.args ?? [])].map((word) => expandReferences(word, resolved.env));
    if (argv.length === 0) {
      this.set({ waiting: { reason: "CreateContainerError", message: `the emulator cannot run image "${this.spec.image}" without a command: image entrypoints are not emulated` } });
      return;
    }
    this.run(argv, resolved.env);
  }

  private run(argv: string[], env: Record<string, string>): void {
    const log = openSync(this.logFile(), "a");
    const cwd = this.spec.workingDir !== undefined && existsSync(this.spec.workingDir) ? this.spec.workingDir : this.context.directory;
    this.containerId = `containerd://${randomBytes(32).toString("hex")}`;
    this.startedAt = new Date().toISOString();
    let child: ChildProcess;
    try {
      child = spawn(argv[0] as string, argv.slice(1), { cwd, env, detached: true, stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    this.process = child;
    this.exited = new Promise((resolve) => {
      // A process that cannot start may report both `error` and `exit`: the run ends once.
      let over = false;
      const end = (how: Parameters<EmulatedContainer["ended"]>[0]) => {
        if (over) return;
        over = true;
        this.ended(how);
        resolve();
      };
      child.once("error", (error) => end({ exitCode: 128, reason: "StartError", message: `failed to start container process: exec: "${argv[0]}": ${error.message}` }));
      child.once("exit", (code, signal) => {
        if (signal) end({ exitCode: 128 + constants.signals[signal], signal: constants.signals[signal], reason: "Error" });
        else end({ exitCode: code ?? 0, reason: code === 0 ? "Completed" : "Error" });
      });
    });
    if (child.pid !== undefined) this.set({ running: { startedAt: this.startedAt } });
  }

  private ended(how: { exitCode: number; signal?: number; reason: string; message?: string }): void {
    const pid = this.process?.pid;
    // The container's cgroup dies with its main process: so does whatever it started.
    if (pid !== undefined) signalGroup(pid, "SIGKILL");
    const terminated: TerminatedJson = { ...how, startedAt: this.startedAt ?? null, finishedAt: new Date().toISOString(), containerID: this.containerId ?? "" };
    this.set({ terminated });
    if (this.stopping || !this.willRestart(how.exitCode)) return;
    const delay = this.restartCount === 0 ? 0 : Math.min(this.context.timings.maxBackoffMs, this.context.timings.crashBackoffMs * 2 ** (this.restartCount - 1));
    const restart = () => {
      this.lastState = { terminated };
      this.restartCount++;
      this.attempt();
    };
    if (delay === 0) {
      this.schedule(0, restart);
      return;
    }
    this.lastState = { terminated };
    const { podName, namespace, uid } = this.context;
    this.set({ waiting: { reason: "CrashLoopBackOff", message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name} pod=${podName}_${namespace}(${uid})` } });
    this.schedule(delay, restart);
  }

  private willRestart(exitCode: number): boolean {
    const policy = this.context.restartPolicy;
    return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
  }

  private set(state: ContainerStateJson): void {
    this.state = state;
    this.context.changed();
  }

  private schedule(ms: number, action: () => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopping) action();
    }, ms);
  }
}

/**
 * `$(VAR)` in command and args becomes the variable's value; `$$(VAR)` stays `$(VAR)`; an unknown
 * reference stays as it is (kubernetes/website tasks/inject-data-application/define-command-argument-container.md,
 * "Use environment variables to define arguments"; third_party/forked/golang/expansion).
 */
export function expandReferences(word: string, env: Readonly<Record<string, string>>): string {
  return word.replace(/\$\$|\$\(([A-Za-z_.-][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && name in env ? (env[name] as string) : match;
  });
}

function imageId(image: string): string {
  const named = image.includes("/") ? image : `docker.io/library/${image}`;
  return `${named.split(/[:@]/)[0]}@sha256:${createHash("sha256").update(image).digest("hex")}`;
}

function signalGroup(pid: number, signal: "SIGTERM" | "SIGKILL"): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
