import { mkdirSync } from "node:fs";
import { EmulatedContainer, type ContainerContext, type ContainerStatusJson, type KubeletTimings } from "./emulated-container.js";
import { podRequests, qosClass, type ContainerJson, type ObjectMetaJson, type PodSpecJson } from "./pod-manifest.js";

/** `PodCondition`. */
export interface PodConditionJson {
  readonly type: string;
  readonly status: "True" | "False";
  readonly lastProbeTime: null;
  readonly lastTransitionTime: string;
  readonly reason?: string;
  readonly message?: string;
}

/** The pod as the API answers it. */
export interface PodJson {
  readonly kind?: "Pod";
  readonly apiVersion?: "v1";
  readonly metadata: ObjectMetaJson;
  readonly spec: PodSpecJson;
  readonly status: Record<string, unknown>;
}

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

/** What a pod needs from the emulator. */
export interface PodContext {
  readonly nodeName: string;
  readonly timings: KubeletTimings;
  imageMissing(image: string): boolean;
  resolveEnv(pod: EmulatedPod, container: ContainerJson): { readonly env: Record<string, string> } | { readonly error: string };
  /** The pod's status changed (a container started, ended, ...). */
  changed(pod: EmulatedPod): void;
}

/**
 * One pod of the Kubernetes API server EMULATOR: its metadata and spec as created, and the status
 * the scheduler and the kubelet would report (workload-resources/pod-v1.md, PodStatus): phase by
 * the kubelet's rules (pkg/kubelet/kubelet_pods.go getPhase: Pending while a container waits for
 * its first start, Running while one runs or restarts, Succeeded when all ended with 0 and none
 * restarts, Failed when all ended and one failed), the conditions PodScheduled (False,
 * Unschedulable when the node lacks room), Initialized, ContainersReady and Ready, hostIP and
 * podIP 127.0.0.1, qosClass and containerStatuses.
 */
export class EmulatedPod {
  readonly containers: EmulatedContainer[];
  readonly requests: { readonly cpu: number; readonly memory: number };
  bound = false;
  private unschedulable: string | undefined;
  private startTime: string | undefined;
  private readonly transitions = new Map<string, { status: string; at: string }>();

  constructor(
    readonly metadata: ObjectMetaJson,
    public spec: PodSpecJson,
    readonly directory: string,
    private readonly context: PodContext,
  ) {
    mkdirSync(directory, { recursive: true });
    this.requests = podRequests(spec);
    const containerContext = (container: ContainerJson): ContainerContext => ({
      podName: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      directory,
      restartPolicy: spec.restartPolicy,
      timings: context.timings,
      imageMissing: (image) => context.imageMissing(image),
      resolveEnv: () => context.resolveEnv(this, container),
      changed: () => context.changed(this),
    });
    this.containers = spec.containers.map((c) => new EmulatedContainer(c, containerContext(c)));
  }

  get name(): string {
    return this.metadata.name;
  }

  get deleting(): boolean {
    return this.metadata.deletionTimestamp !== undefined;
  }

  /** Live process ids of the pod's containers. */
  get pids(): number[] {
    return this.containers.map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  get phase(): PodPhase {
    if (!this.bound || this.containers.some((c) => c.pending)) return "Pending";
    const ended = this.containers.map((c) => c.finalTermination);
    if (ended.some((t) => t === undefined)) return "Running";
    return ended.every((t) => t?.exitCode === 0) ? "Succeeded" : "Failed";
  }

  /** The scheduler found no room: the pod stays Pending with PodScheduled=False, reason Unschedulable. */
  markUnschedulable(message: string): void {
    if (this.unschedulable === message) return;
    this.unschedulable = message;
    this.context.changed(this);
  }

  /** The scheduler bound the pod to the node: its containers begin. */
  bind(): void {
    this.bound = true;
    this.unschedulable = undefined;
    this.startTime = new Date().toISOString();
    this.spec = { ...this.spec, nodeName: this.context.nodeName };
    for (const container of this.containers) container.begin();
    this.context.changed(this);
  }

  /** Stops every container: SIGTERM, SIGKILL after `graceSeconds`. Resolves when no process is left. */
  async stop(graceSeconds: number): Promise<void> {
    await Promise.all(this.containers.map((c) => c.stop(graceSeconds * 1000)));
  }

  toJson(): PodJson {
    const phase = this.phase;
    const statuses: ContainerStatusJson[] = this.containers.map((c) => c.toJson());
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    const done = phase === "Succeeded" || phase === "Failed";
    const conditions: PodConditionJson[] = [];
    const condition = (type: string, status: "True" | "False", reason?: string, message?: string) => {
      const previous = this.transitions.get(type);
      const at = previous && previous.status === status ? previous.at : new Date().toISOString().replace(/\.\d+Z$/, "Z");
      this.transitions.set(type, { status, at });
      conditions.push({ type, status, lastProbeTime: null, lastTransitionTime: at, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
    };
    if (this.bound) {
      condition("Initialized", "True");
      if (unready.length === 0 && !done) {
        condition("Ready", "True");
        condition("ContainersReady", "True");
      } else {
        const message = `containers with unready status: [${unready.join(" ")}]`;
        condition("Ready", "False", done ? "PodCompleted" : "ContainersNotReady", done ? undefined : message);
        condition("ContainersReady", "False", done ? "PodCompleted" : "ContainersNotReady", done ? undefined : message);
      }
      condition("PodScheduled", "True");
    } else if (this.unschedulable !== undefined) {
      condition("PodScheduled", "False", "Unschedulable", this.unschedulable);
    }
    return {
      metadata: this.metadata,
      spec: this.spec,
      status: {
        phase,
        conditions,
        ...(this.bound
          ? { hostIP: "127.0.0.1", podIP: "127.0.0.1", podIPs: [{ ip: "127.0.0.1" }], startTime: this.startTime, containerStatuses: statuses }
          : {}),
        qosClass: qosClass(this.spec),
      },
    };
  }
}

/** Field selectors the API server accepts for pods (pkg/registry/core/pod/strategy.go ToSelectableFields). */
export const POD_FIELDS: ReadonlySet<string> = new Set([
  "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
  "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName",
]);

/** The values of `POD_FIELDS` in a pod's JSON (a current pod or one from the watch history). */
export function podFields(pod: PodJson): Record<string, string> {
  const spec = pod.spec as unknown as Record<string, unknown>;
  const status = pod.status;
  return {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": pod.metadata.namespace,
    "spec.nodeName": String(spec["nodeName"] ?? ""),
    "spec.restartPolicy": String(spec["restartPolicy"] ?? ""),
    "spec.schedulerName": String(spec["schedulerName"] ?? ""),
    "spec.serviceAccountName": String(spec["serviceAccountName"] ?? ""),
    "status.phase": String(status["phase"] ?? ""),
    "status.podIP": String(status["podIP"] ?? ""),
    "status.nominatedNodeName": String(status["nominatedNodeName"] ?? ""),
  };
}
