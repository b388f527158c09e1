/**
 * The parts of Marathon's REST API v2 JSON that daskq reads and writes, typed after Marathon's RAML
 * spec (mesosphere/marathon, docs/docs/rest-api/public/api/v2/types/{app,task,error,
 * deploymentResult}.raml).
 */

/** The app daskq posts (`app.App`). */
export interface MarathonAppDefinition {
  readonly id: string;
  readonly cmd: string;
  readonly instances: number;
  readonly cpus: number;
  /** MiB. */
  readonly mem: number;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly constraints: readonly (readonly string[])[];
  readonly portDefinitions: readonly { readonly port: 0; readonly protocol: "tcp"; readonly name: string }[];
  readonly container?: { readonly type: string; readonly docker: { readonly image: string } };
  /** Seconds between a killed task's SIGTERM and SIGKILL. */
  readonly taskKillGracePeriodSeconds?: number;
}

/** `task.Task`, the fields daskq uses. */
export interface MarathonTask {
  readonly id: string;
  readonly appId: string;
  readonly host: string;
  readonly state: string;
  readonly ports?: readonly number[];
  readonly stagedAt?: string;
  readonly startedAt?: string;
}

/** `task.TaskFailure`: an app's `lastTaskFailure`. */
export interface MarathonTaskFailure {
  readonly taskId: string;
  readonly state: string;
  readonly message: string;
  readonly host: string;
  readonly timestamp: string;
}

/** `app.AppInfo`, the fields daskq uses. */
export interface MarathonApp {
  readonly id: string;
  readonly instances: number;
  readonly deployments?: readonly { readonly id: string }[];
  readonly tasks?: readonly MarathonTask[];
  readonly lastTaskFailure?: MarathonTaskFailure;
}

/** `deploymentResult.DeploymentResult`. */
export interface DeploymentResult {
  readonly deploymentId: string;
  readonly version: string;
}

/** `error.Error`, plus `deployments` on a 409 (traits.raml `deployable`). */
export interface MarathonErrorBody {
  readonly message?: string;
  readonly details?: readonly { readonly path?: string; readonly errors?: readonly string[] }[];
  readonly deployments?: readonly { readonly id: string }[];
}
