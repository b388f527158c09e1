import { parseArgs, type ParseArgsConfig } from "node:util";
import { DaskqError, interpretEnvValue, readPoolsFile, type AdaptOptions, type JobQueueClusterOptions, type ScaleRequest, type SchedulerOptions } from "@daskq/core";

/** Options every command that builds a cluster understands. */
export const CLUSTER_OPTIONS = {
  backend: { type: "string", short: "b" },
  pools: { type: "string" },
  "config-name": { type: "string" },
  cores: { type: "string" },
  memory: { type: "string" },
  processes: { type: "string" },
  queue: { type: "string", short: "q" },
  account: { type: "string", short: "A" },
  walltime: { type: "string", short: "t" },
  "lifetime-margin": { type: "string" },
  python: { type: "string" },
  "log-directory": { type: "string" },
  "job-extra-directive": { type: "string", multiple: true },
  "worker-extra-arg": { type: "string", multiple: true },
  "max-pending-jobs": { type: "string" },
  set: { type: "string", multiple: true },
  ssh: { type: "string" },
  "ssh-accept-new-host-key": { type: "boolean" },
  "scheduler-placement": { type: "string" },
  "scheduler-address": { type: "string" },
  "no-tls": { type: "boolean" },
  "tls-ca-file": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "scheduler-host": { type: "string" },
  "scheduler-port": { type: "string" },
  "dashboard-address": { type: "string" },
  interface: { type: "string" },
  "poll-interval": { type: "string" },
  jobs: { type: "string", short: "j" },
  adapt: { type: "boolean" },
  minimum: { type: "string" },
  maximum: { type: "string" },
  "minimum-jobs": { type: "string" },
  "maximum-jobs": { type: "string" },
  workers: { type: "string", short: "n" },
  verbose: { type: "boolean", short: "v" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** Help text for `CLUSTER_OPTIONS`. */
export const CLUSTER_OPTIONS_HELP = `Cluster options:
  -b, --backend NAME            batch system: local (default), slurm, ... (see daskq backends)
      --pools FILE              several pools behind one scheduler, from a dask config file with
                                jobqueue.pools (each pool: backend, config-name, resources,
                                minimum-jobs, maximum-jobs; job settings in jobqueue.<config-name>)
      --config-name NAME        read jobqueue.NAME instead of jobqueue.<backend>
      --cores N                 cores per job
      --memory SIZE             memory per job, e.g. 16GB or 15GiB
      --processes N             worker processes per job
  -q, --queue NAME              queue / partition
  -A, --account NAME            account / project to charge
  -t, --walltime TIME           e.g. 01:00:00, 90m
      --lifetime-margin TIME    walltime rotation: workers retire this long before the walltime
                                (--lifetime) and each job is replaced first; e.g. 5m, 90s; 0: off
                                (default: a fifth of the walltime, at most 5m)
      --python PATH             python on the compute nodes (must have distributed)
      --log-directory DIR       keep job output files there
      --job-extra-directive D   extra batch directive (repeatable)
      --worker-extra-arg ARG    extra dask worker argument (repeatable)
      --max-pending-jobs N      never have more than N jobs queued
      --set KEY=VALUE           any jobqueue config key; VALUE is read like a DASK_JOBQUEUE__ env
                                value, e.g. --set job-cpu=4 --set 'job-script-prologue=["module load py"]'
      --ssh DEST                run the batch commands on a login node over ONE SSH connection:
                                host, user@host:port or a ~/.ssh/config alias (agent, keys,
                                ProxyJump and known_hosts as with ssh; passphrase from
                                DASKQ_SSH_PASSPHRASE or asked in a terminal)
      --ssh-accept-new-host-key record the login node's key if known_hosts lacks it (a changed
                                key is always refused)
      --scheduler-placement P   local (this machine), remote (the login node, reached through
                                an SSH forward; the default with --ssh) or job (a job of the
                                batch system reached through its port forwarding; UNICORE's default)
      --scheduler-address ADDR  attach to a running scheduler instead of starting one
      --no-tls                  plain TCP instead of TLS (default: TLS with a private CA per cluster;
                                then only clients with the cluster's certificate can connect)
      --tls-ca-file F, --tls-cert F, --tls-key F
                                your own TLS files instead (needed to attach to a tls:// scheduler)
      --scheduler-host HOST     address the scheduler binds to
      --scheduler-port PORT     scheduler port (default: any free port)
      --dashboard-address ADDR  dashboard address (default :0)
      --interface IFACE         network interface for scheduler and workers
      --poll-interval SECONDS   batch status poll period (default 2)
  -j, --jobs N                  number of jobs to run
  -n, --workers N               number of workers to run (rounded up to whole jobs)
      --adapt                   let the load decide the size (Dask's adaptive policy, whole jobs)
      --minimum N / --maximum N bounds for --adapt, in workers
      --minimum-jobs N / --maximum-jobs N
                                bounds for --adapt, in jobs
  -v, --verbose                 log every decision
      --json                    print machine-readable output
  -h, --help                    this help`;

export type ClusterValues = ReturnType<typeof parseClusterArgs>["values"];

/** Parses argv with the cluster options; unknown options are errors. */
export function parseClusterArgs(argv: string[], allowPositionals = false) {
  return parseCommandArgs(argv, CLUSTER_OPTIONS, allowPositionals);
}

/** Options of a command, as `node:util` `parseArgs` takes them. */
export type CommandOptions = NonNullable<ParseArgsConfig["options"]>;

/** What `parseCommandArgs` returns for these options. */
export type ParsedCommand<O extends CommandOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;

/** Parses argv with the given options; unknown options are a `DaskqError` pointing at --help. */
export function parseCommandArgs<O extends CommandOptions>(argv: string[], options: O, allowPositionals = false): ParsedCommand<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new DaskqError("cli", `${(error as Error).message}. See --help.`);
  }
}

/** Turns parsed options into `JobQueueCluster.create` options. */
export function clusterOptionsFrom(values: ClusterValues): Omit<JobQueueClusterOptions, "logger" | "backend"> & { readonly backend: string } {
  const job: Record<string, unknown> = {};
  const direct = ["cores", "memory", "processes", "queue", "account", "walltime", "lifetime-margin", "python", "log-directory", "max-pending-jobs", "interface", "ssh", "scheduler-placement"] as const;
  for (const key of direct) if (values[key] !== undefined) job[key] = numberIfNumeric(values[key] as string);
  if (values["ssh-accept-new-host-key"]) job["ssh-accept-new-host-key"] = true;
  if (values["job-extra-directive"]) job["job-extra-directives"] = values["job-extra-directive"];
  if (values["worker-extra-arg"]) job["worker-extra-args"] = values["worker-extra-arg"];
  for (const pair of values.set ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new DaskqError("cli", `--set expects KEY=VALUE, got '${pair}'`);
    job[pair.slice(0, eq)] = interpretEnvValue(pair.slice(eq + 1));
  }
  const scheduler: SchedulerOptions = {
    address: values["scheduler-address"],
    host: values["scheduler-host"],
    port: values["scheduler-port"] === undefined ? undefined : integer("--scheduler-port", values["scheduler-port"]),
    dashboardAddress: values["dashboard-address"],
    interface: values.interface,
  };
  return {
    backend: values.backend ?? "local",
    configName: values["config-name"],
    job,
    scheduler,
    pollIntervalMs: values["poll-interval"] === undefined ? undefined : positive("--poll-interval", values["poll-interval"]) * 1000,
    tls: tlsFrom(values),
  };
}

/**
 * The `JobQueueCluster.create` options of a command: with --pools, the pools of that file (job
 * settings, --backend and --config-name then belong in the file); else those of `clusterOptionsFrom`.
 */
export function poolOptionsFrom(values: ClusterValues): Omit<JobQueueClusterOptions, "logger"> {
  const options = clusterOptionsFrom(values);
  if (values.pools === undefined) return options;
  const { backend: _backend, configName: _configName, job, ...rest } = options;
  const given = [...(values.backend !== undefined ? ["--backend"] : []), ...(values["config-name"] !== undefined ? ["--config-name"] : []), ...Object.keys(job ?? {}).map((k) => `--${k}`)];
  if (given.length > 0) throw new DaskqError("cli", `with --pools, job settings go in the pools file (jobqueue.<config-name>); got ${given.join(" ")}`);
  return { ...rest, pools: readPoolsFile(values.pools) };
}

/** --no-tls, or the user's own --tls-ca-file/--tls-cert/--tls-key; undefined: daskq's default (TLS). */
function tlsFrom(values: ClusterValues): JobQueueClusterOptions["tls"] {
  const files = { ca: values["tls-ca-file"], cert: values["tls-cert"], key: values["tls-key"] };
  const given = Object.values(files).some((v) => v !== undefined);
  if (values["no-tls"] && given) throw new DaskqError("cli", "give --no-tls or --tls-ca-file/--tls-cert/--tls-key, not both");
  if (values["no-tls"]) return false;
  return given ? files : undefined;
}

/** The size asked for with --jobs or --workers (not both); undefined when neither is given. */
export function scaleRequestFrom(values: ClusterValues): ScaleRequest | undefined {
  if (values.jobs !== undefined && values.workers !== undefined) throw new DaskqError("cli", "give --jobs or --workers, not both");
  if (values.jobs !== undefined) return { jobs: integer("--jobs", values.jobs) };
  if (values.workers !== undefined) return { workers: integer("--workers", values.workers) };
  return undefined;
}

/** Adaptive bounds from --minimum/--maximum (workers) and --minimum-jobs/--maximum-jobs. */
export function adaptOptionsFrom(values: ClusterValues): AdaptOptions {
  const bound = (flag: "minimum" | "maximum" | "minimum-jobs" | "maximum-jobs") =>
    values[flag] === undefined ? undefined : integer(`--${flag}`, values[flag] as string);
  return { minimum: bound("minimum"), maximum: bound("maximum"), minimumJobs: bound("minimum-jobs"), maximumJobs: bound("maximum-jobs") };
}

function numberIfNumeric(value: string): string | number {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** A whole number >= 0 given to `flag`, or a `DaskqError` naming the flag. */
export function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new DaskqError("cli", `${flag} expects a whole number >= 0, got '${value}'`);
  return Number(value);
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new DaskqError("cli", `${flag} expects a number of seconds > 0, got '${value}'`);
  return n;
}
