import * as v from "valibot";
import { configKey, defineOptions } from "./config-schema.js";

/**
 * The keys every backend understands, under `jobqueue.<section>`: all shared keys of dask-jobqueue (with its
 * defaults and its deprecated names as aliases) plus daskq's own `env` and `max-pending-jobs`, declared once:
 * `SHARED_OPTIONS.keys` for the loader, `SHARED_OPTIONS.read` for their typed values (`resolveJobSpec`).
 * Backends add their own keys (e.g. Slurm's `job-cpu`) in `BackendDescriptor.configKeys`.
 */
export const SHARED_OPTIONS = defineOptions({
  name: configKey("string", { default: "dask-worker", description: "Name of the worker jobs and workers" }),
  cores: configKey("integer", {
    description: "Total number of cores per job (required)",
    value: v.pipe(v.number(), v.minValue(1, "must be at least 1; expected a whole number of cores per job, e.g. 4")),
  }),
  memory: configKey("bytes", {
    description: "Total memory per job, e.g. 16GB or 16GiB (required)",
    value: v.pipe(v.number(), v.minValue(1, "must be more than 0 bytes; expected a size per job, e.g. 16GB")),
  }),
  processes: configKey("integer", {
    description: "Worker processes per job; unset: cores if cores <= 4, else the smallest factor of cores >= sqrt(cores)",
  }),
  python: configKey("string", { description: "Python executable used to start workers on the compute nodes" }),
  interface: configKey("string", { description: "Network interface the workers listen on, e.g. ib0" }),
  "death-timeout": configKey("number", { default: 60, description: "Seconds a worker waits for an unreachable scheduler before it exits" }),
  "local-directory": configKey("string", { description: "Fast node-local scratch directory for the workers, e.g. $TMPDIR" }),
  "shared-temp-directory": configKey("string", {
    description: "Shared directory for temporary files the workers must read, e.g. security credentials",
  }),
  "worker-command": configKey("string", {
    default: "distributed.cli.dask_worker",
    description: "Python module run with -m to start a worker",
  }),
  "worker-extra-args": configKey("string-list", {
    default: [],
    description: "Extra arguments appended to the worker command",
    aliases: ["extra"],
  }),
  nanny: configKey("boolean", { default: true, description: "Start workers under a nanny process" }),
  "job-script-prologue": configKey("string-list", {
    default: [],
    description: "Shell lines run in the job script before the workers start",
    aliases: ["env-extra"],
  }),
  "job-script-epilogue": configKey("string-list", { default: [], description: "Shell lines run in the job script after the workers exit" }),
  "job-extra-directives": configKey("string-list", {
    default: [],
    description: "Extra batch directives, without the prefix, e.g. --exclusive",
    aliases: ["job-extra"],
  }),
  "job-directives-skip": configKey("string-list", {
    default: [],
    description: "Generated directive lines containing any of these strings are dropped",
    aliases: ["header-skip"],
  }),
  "log-directory": configKey("string", { description: "Directory for the batch system's job output files" }),
  shebang: configKey("string", { default: "#!/usr/bin/env bash", description: "First line of the job script" }),
  "scheduler-options": configKey("map", { default: {}, description: "Options for the Dask scheduler, e.g. {dashboard_address: ':8787'}" }),
  queue: configKey("string", { description: "Queue or partition the jobs are submitted to" }),
  account: configKey("string", { description: "Account or project the jobs are charged to", aliases: ["project"] }),
  walltime: configKey("walltime", { default: "00:30:00", description: "Wall-clock limit of each job" }),
  "lifetime-margin": configKey("walltime", {
    description: "Walltime rotation: workers retire (--lifetime) this long before the walltime and daskq replaces their job first; 0 turns rotation off; unset: a fifth of the walltime, at most 5m",
  }),
  "lifetime-stagger": configKey("walltime", {
    description: "Walltime rotation: --lifetime-stagger of the workers; their lifetime is shortened by it, so the margin holds; unset: 0",
  }),
  env: configKey("map", {
    default: {},
    description: "Environment variables exported at the top of the job script",
    value: v.pipe(v.record(v.string(), v.unknown()), v.rawCheck(checkJobEnvironment), v.transform(jobEnvironment)),
  }),
  ssh: configKey("string", {
    description: "Run the batch commands on this login node over SSH: host, user@host:port or a ~/.ssh/config alias",
  }),
  "ssh-accept-new-host-key": configKey("boolean", {
    description: "Accept and record the login node's host key when known_hosts does not have it (a changed key is always refused); unset: false",
  }),
  "scheduler-placement": configKey("string", {
    description: "Where the scheduler runs: local, remote (on the login node, reached through SSH) or job (a job of the batch system, e.g. UNICORE, reached through its port forwarding); unset: the backend's default, else remote with ssh, else local",
  }),
  "max-pending-jobs": configKey("integer", { description: "At most this many jobs wait in the queue at once; unset: no limit" }),
});

/** The shared keys as the loader takes them. */
export const SHARED_KEYS = SHARED_OPTIONS.keys;

/** `env` names must be shell variable names, and values scalars (or `null`, which drops the variable). */
function checkJobEnvironment({ dataset, addIssue }: v.RawCheckContext<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(dataset.value as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      addIssue({ message: `${JSON.stringify(name)} is not a valid environment variable name; expected letters, digits and _, e.g. OMP_NUM_THREADS` });
      return;
    }
    if (typeof value === "object" && value !== null) {
      addIssue({ message: `the value of ${name} is not a scalar; expected a mapping of names to strings, e.g. {OMP_NUM_THREADS: 1}` });
      return;
    }
  }
}

/** The `env` mapping as exported variables: scalar values as strings, `null` dropping the variable (a higher layer can remove one). */
function jobEnvironment(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).flatMap(([name, value]) => (value === null ? [] : [[name, String(value)]])));
}
