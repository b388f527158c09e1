import { ConfigError, configKeyPath, renderTlsSetup, renderTlsWorker, workerShellCommand, type JobSpec, type WorkerLaunch } from "@daskq/core";
import type { MarathonAppDefinition } from "./marathon-api.js";
import type { MarathonOptions } from "./marathon-options.js";

/** `strings.PathId` of Marathon's RAML spec (stringTypes.raml). */
const PATH_ID = /^(\/?((\.\.)|(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))?($|\/))+$/;

/**
 * The id of a cluster's app: `app-id-prefix` + cluster id, e.g. `/daskq/daskq-3f9a`.
 *
 * @throws ConfigError when Marathon would reject it.
 */
export function marathonAppId(options: MarathonOptions, clusterId: string): string {
  const id = `${options.appIdPrefix}${clusterId.toLowerCase()}`;
  if (!PATH_ID.test(id) || id.endsWith("/")) {
    throw new ConfigError(`the app id ${JSON.stringify(id)} is not a valid Marathon app id (lowercase letters, digits, '-', '.', separated by '/')`, {
      keyPath: configKeyPath(options.section, "app-id-prefix"),
    });
  }
  return id;
}

/**
 * The shell command of a worker task (Marathon runs `cmd` with `/bin/sh -c`): the TLS setup when the
 * scheduler uses TLS, the prologue, then ONE Dask worker named after its Mesos task
 * (`--name "$MESOS_TASK_ID"`) listening on the ports Marathon assigned to the port definitions
 * `worker` and `nanny` (`$PORT_WORKER`, `$PORT_NANNY`), then the epilogue. Every argument is shell-quoted; only the words in `expandOnNode` may expand node variables.
 *
 * With TLS the cluster's PEM files are written 0600 into a private directory of the task's node
 * (core's `renderTlsSetup`); the shell then stays the worker's parent (no `exec`) so that its traps
 * remove them, also when Marathon kills the task (SIGTERM to the task's process tree).
 */
export function workerTaskCommand(worker: WorkerLaunch, nanny: boolean): string {
  const ports = ["--worker-port", '"$PORT_WORKER"', ...(nanny ? ["--nanny-port", '"$PORT_NANNY"'] : [])];
  const words = `${workerShellCommand(worker, '"$MESOS_TASK_ID"')} ${ports.join(" ")}`;
  if (worker.tls) return [...renderTlsSetup(worker.tls), ...worker.prologue, ...renderTlsWorker(words), ...worker.epilogue].join("\n");
  const run = worker.epilogue.length === 0 ? `exec ${words}` : words;
  return [...worker.prologue, run, ...worker.epilogue].join("\n");
}

/**
 * The app of one cluster, created with `instances: 0`: cpus and mem (MiB, rounded up) from the job
 * spec, one port definition per listening process, the job's env, and the container, constraints
 * and labels of its config section.
 *
 * @throws ConfigError when the job asks for several worker processes (one task runs one worker).
 */
export function marathonAppDefinition(id: string, spec: JobSpec, worker: WorkerLaunch, options: MarathonOptions, clusterId: string): MarathonAppDefinition {
  if (spec.processes !== 1) {
    throw new ConfigError(`expected 1 (each Marathon task runs one Dask worker; ask for more workers instead), got ${spec.processes}`, { keyPath: configKeyPath(options.section, "processes") });
  }
  return {
    id,
    cmd: workerTaskCommand(worker, spec.nanny),
    instances: 0,
    cpus: spec.cores,
    mem: Math.ceil(spec.memory / 2 ** 20),
    env: { ...worker.env },
    labels: { ...options.labels, DASKQ_CLUSTER: clusterId },
    constraints: options.constraints,
    portDefinitions: [
      { port: 0, protocol: "tcp", name: "worker" },
      ...(spec.nanny ? [{ port: 0 as const, protocol: "tcp" as const, name: "nanny" }] : []),
    ],
    taskKillGracePeriodSeconds: options.taskKillGracePeriod,
    ...(options.image ? { container: { type: options.containerType, docker: { image: options.image } } } : {}),
  };
}
