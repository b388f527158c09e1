/**
 * The JSON shapes the Marathon EMULATOR speaks, as Marathon's RAML API spec defines them
 * (mesosphere/marathon at 90619da70, docs/docs/rest-api/public/api/v2/types/{app,task,error,
 * deploymentResult}.raml). Only the fields the emulator fills are typed.
 */

/** `error.Error`: every error body. */
export interface MarathonErrorBody {
  readonly message: string;
  readonly details?: readonly { readonly path: string; readonly errors: readonly string[] }[];
  /** Only on 409 "locked by a deployment" (traits.raml `deployable`). */
  readonly deployments?: readonly { readonly id: string }[];
}

/** `network.PortDefinition`. */
export interface PortDefinitionJson {
  readonly port: number;
  readonly protocol: string;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `task.Task`. */
export interface TaskJson {
  readonly id: string;
  readonly appId: string;
  readonly host: string;
  readonly ports: readonly number[];
  readonly servicePorts: readonly number[];
  readonly slaveId: string;
  readonly state: string;
  readonly stagedAt: string;
  readonly startedAt?: string;
  readonly version: string;
  readonly ipAddresses: readonly { readonly ipAddress: string; readonly protocol: string }[];
  readonly role: string;
}

/** `task.TaskFailure`: an app's `lastTaskFailure`. */
export interface TaskFailureJson {
  readonly appId: string;
  readonly host: string;
  readonly message: string;
  readonly state: string;
  readonly taskId: string;
  readonly timestamp: string;
  readonly version: string;
  readonly slaveId: string;
}

/** `deploymentResult.DeploymentResult`: the answer of every deployable operation. */
export interface DeploymentResultJson {
  readonly deploymentId: string;
  readonly version: string;
}

/** One element of `GET /v2/deployments` (examples/deployments.json). */
export interface DeploymentJson {
  readonly id: string;
  readonly version: string;
  readonly affectedApps: readonly string[];
  readonly affectedPods: readonly string[];
  readonly steps: readonly { readonly actions: readonly { readonly action: string; readonly app: string }[] }[];
  readonly currentActions: readonly { readonly action: string; readonly app: string; readonly readinessCheckResults: readonly unknown[] }[];
  readonly currentStep: number;
  readonly totalSteps: number;
}

/** The task states of `strings.MesosTaskState`. */
export type MesosTaskState =
  | "TASK_STAGING"
  | "TASK_STARTING"
  | "TASK_RUNNING"
  | "TASK_KILLING"
  | "TASK_FINISHED"
  | "TASK_FAILED"
  | "TASK_KILLED"
  | "TASK_ERROR";

/** States after which a task never changes again. */
export const TERMINAL_TASK_STATES: ReadonlySet<MesosTaskState> = new Set(["TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR"]);

/**
 * States that Marathon records as the app's `lastTaskFailure` (state/TaskFailure.scala,
 * `isFailureState`: FAILED, ERROR, LOST, DROPPED, GONE, GONE_BY_OPERATOR, UNKNOWN; never KILLED or
 * FINISHED).
 */
export const FAILURE_TASK_STATES: ReadonlySet<MesosTaskState> = new Set(["TASK_FAILED", "TASK_ERROR"]);
