import type { ConfigKey } from "./config-key.js";

/**
 * The keys every backend understands, under `jobqueue.<section>`: all shared keys of dask-jobqueue (with its
 * defaults and its deprecated names as aliases) plus daskq's own `env` and `max-pending-jobs`.
 * Backends add their own keys (e.g. Slurm's `job-cpu`) in `BackendDescriptor.configKeys`.
 */
export const SHARED_KEYS: readonly ConfigKey[] = [
  { name: "name", kind: "string", default: "dask-worker", description: "Name of the worker jobs and workers" },
  { name: "cores", kind: "integer", description: "Total number of cores per job (required)" },
  { name: "memory", kind: "bytes", description: "Total memory per job, e.g. 16GB or 16GiB (required)" },
  {
    name: "processes",
    kind: "integer",
    description: "Worker processes per job; unset: cores if cores <= 4, else the smallest factor of cores >= sqrt(cores)",
  },
  { name: "python", kind: "string", description: "Python executable used to start workers on the compute nodes" },
  { name: "interface", kind: "string", description: "Network interface the workers listen on, e.g. ib0" },
  {
    name: "death-timeout",
    kind: "number",
    default: 60,
    description: "Seconds a worker waits for an unreachable scheduler before it exits",
  },
  { name: "local-directory", kind: "string", description: "Fast node-local scratch directory for the workers, e.g. $TMPDIR" },
  {
    name: "shared-temp-directory",
    kind: "string",
    description: "Shared directory for temporary files the workers must read, e.g. security credentials",
  },
  {
    name: "worker-command",
    kind: "string",
    default: "distributed.cli.dask_worker",
    description: "Python module run with -m to start a worker",
  },
  {
    name: "worker-extra-args",
    kind: "string-list",
    default: [],
    description: "Extra arguments appended to the worker command",
    aliases: ["extra"],
  },
  { name: "nanny", kind: "boolean", default: true, description: "Start workers under a nanny process" },
  {
    name: "job-script-prologue",
    kind: "string-list",
    default: [],
    description: "Shell lines run in the job script before the workers start",
    aliases: ["env-extra"],
  },
  {
    name: "job-script-epilogue",
    kind: "string-list",
    default: [],
    description: "Shell lines run in the job script after the workers exit",
  },
  {
    name: "job-extra-directives",
    kind: "string-list",
    default: [],
    description: "Extra batch directives, without the prefix, e.g. --exclusive",
    aliases: ["job-extra"],
  },
  {
    name: "job-directives-skip",
    kind: "string-list",
    default: [],
    description: "Generated directive lines containing any of these strings are dropped",
    aliases: ["header-skip"],
  },
  { name: "log-directory", kind: "string", description: "Directory for the batch system's job output files" },
  { name: "shebang", kind: "string", default: "#!/usr/bin/env bash", description: "First line of the job script" },
  {
    name: "scheduler-options",
    kind: "map",
    default: {},
    description: "Options for the Dask scheduler, e.g. {dashboard_address: ':8787'}",
  },
  { name: "queue", kind: "string", description: "Queue or partition the jobs are submitted to" },
  { name: "account", kind: "string", description: "Account or project the jobs are charged to", aliases: ["project"] },
  { name: "walltime", kind: "walltime", default: "00:30:00", description: "Wall-clock limit of each job" },
  {
    name: "lifetime-margin",
    kind: "walltime",
    description:
      "Walltime rotation: workers retire (--lifetime) this long before the walltime and daskq replaces their job first; 0 turns rotation off; unset: a fifth of the walltime, at most 5m",
  },
  {
    name: "lifetime-stagger",
    kind: "walltime",
    description: "Walltime rotation: --lifetime-stagger of the workers; their lifetime is shortened by it, so the margin holds; unset: 0",
  },
  { name: "env", kind: "map", default: {}, description: "Environment variables exported at the top of the job script" },
  {
    name: "ssh",
    kind: "string",
    description: "Run the batch commands on this login node over SSH: host, user@host:port or a ~/.ssh/config alias",
  },
  {
    name: "ssh-accept-new-host-key",
    kind: "boolean",
    description: "Accept and record the login node's host key when known_hosts does not have it (a changed key is always refused); unset: false",
  },
  {
    name: "scheduler-placement",
    kind: "string",
    description: "Where the scheduler runs: local, remote (on the login node, reached through SSH) or job (a job of the batch system, e.g. UNICORE, reached through its port forwarding); unset: the backend's default, else remote with ssh, else local",
  },
  {
    name: "max-pending-jobs",
    kind: "integer",
    description: "At most this many jobs wait in the queue at once; unset: no limit",
  },
];
