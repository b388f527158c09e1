import { DaskqError, JobQueueCluster } from "@daskq/core";
import { serveStatusPage, type StatusPage } from "@daskq/status";
import type { DependencyContainer } from "tsyringe";
import { adaptOptionsFrom, CLUSTER_OPTIONS, CLUSTER_OPTIONS_HELP, integer, parseCommandArgs, poolOptionsFrom, scaleRequestFrom } from "../cli-options.js";
import { consoleLogger } from "../console-logger.js";
import { formatProgress, ProgressLine } from "../progress.js";

const UP_OPTIONS = {
  ...CLUSTER_OPTIONS,
  "status-host": { type: "string" },
  "status-port": { type: "string" },
  "no-status": { type: "boolean" },
} as const;
import { connectInstructions } from "../connect-instructions.js";

export const UP_HELP = `Usage: daskq up [options]

Starts a Dask scheduler and worker jobs, prints the scheduler address, the dashboard link and the
link of daskq's live status page, shows progress while workers arrive, and stays up until Ctrl-C;
then cancels every job and stops.

Links follow Dask's distributed.dashboard.link template (dask config files or
DASK_DISTRIBUTED__DASHBOARD__LINK), e.g. {JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/status.

Examples:
  daskq up --backend slurm --jobs 10 --cores 8 --memory 16GB
  daskq up --backend slurm --adapt --minimum 0 --maximum 20
  daskq up --backend slurm --ssh login.example.org --jobs 4     # from a laptop, over SSH
  daskq up --pools pools.yaml --adapt      # several pools (e.g. cpu and gpu) behind one scheduler

With --pools and without --adapt, each pool starts with its minimum-jobs; --jobs/--workers size
the first pool.

Status page options:
      --status-host HOST        address the status page binds to (default 127.0.0.1)
      --status-port PORT        its port (default: any free port)
      --no-status               do not serve the status page

${CLUSTER_OPTIONS_HELP}`;

/** `daskq up`: resolves with the exit code once the cluster is closed. */
export async function up(argv: string[], container: DependencyContainer): Promise<number> {
  const { values } = parseCommandArgs(argv, UP_OPTIONS);
  if (values.help) {
    process.stdout.write(`${UP_HELP}\n`);
    return 0;
  }
  const logger = consoleLogger(values.verbose ?? false);
  const request = scaleRequestFrom(values);
  if (values.adapt && request) throw new DaskqError("cli", "give --adapt or --jobs/--workers, not both");
  const options = poolOptionsFrom(values);
  const cluster = await JobQueueCluster.create({ ...options, container, logger, handleSignals: false });
  const progress = new ProgressLine(values.json ? { write: (t: string) => process.stdout.write(t) } : process.stdout);
  let page: StatusPage | undefined;
  try {
    if (!values["no-status"]) {
      page = await serveStatusPage(cluster, {
        host: values["status-host"],
        port: values["status-port"] === undefined ? undefined : integer("--status-port", values["status-port"]),
      });
    }
  } catch (error) {
    await cluster.close();
    throw error;
  }
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => () => {
      if (stopping) return;
      stopping = true;
      progress.end();
      process.stderr.write("\ndaskq: closing the cluster (cancelling jobs)...\n");
      void cluster.close().then(() => resolve(code));
    };
    process.once("SIGINT", stop(0));
    process.once("SIGTERM", stop(0));
    process.once("SIGHUP", stop(0));
    // A cluster error is what the cluster cannot fix by itself (the scheduler died, jobs keep
    // failing to start and submission stopped): say why, with the log tail, and exit non-zero.
    cluster.once("cluster-error", (error) => {
      progress.clear();
      logger.error(error.message);
      stop(1)();
    });
  });
  if (values.adapt) {
    cluster.on("scale-decision", (d) => {
      if (d.action === "same") return;
      progress.clear();
      process.stderr.write(`daskq adapt: ${d.reason}\n`);
    });
    await cluster.adapt(adaptOptionsFrom(values));
  } else if (options.pools) {
    for (const [i, pool] of options.pools.entries()) {
      const size = i === 0 && request ? request : { jobs: pool.minimumJobs ?? 0 };
      await cluster.scale({ ...size, pool: pool.name });
    }
  } else {
    await cluster.scale(request ?? { jobs: 1 });
  }
  if (values.json) {
    const tls = cluster.security ? { ...cluster.security.files, clientEnvFile: cluster.clientEnvFile ?? null } : null;
    process.stdout.write(
      `${JSON.stringify({ schedulerAddress: cluster.schedulerAddress, workerSchedulerAddress: cluster.workerSchedulerAddress, dashboardLink: cluster.dashboardLink ?? null, statusLink: page?.link ?? null, statusUrl: page?.url ?? null, backend: cluster.backendName, clusterId: cluster.clusterId, tls, clientEnv: cluster.clientEnv })}\n`,
    );
  } else {
    const forwarded = cluster.workerSchedulerAddress !== cluster.schedulerAddress;
    process.stdout.write(`Scheduler: ${cluster.schedulerAddress}${forwarded ? ` (forwarded over ${cluster.schedulerForwardedThrough ?? cluster.runner.description} to ${cluster.workerSchedulerAddress})` : ""}\n`);
    process.stdout.write(`Dashboard: ${cluster.dashboardLink ?? "(not served: the scheduler needs bokeh for Dask's dashboard)"}\n`);
    if (page) process.stdout.write(`Status:    ${page.link}${page.link === page.url ? "" : `   (on this machine: ${page.url})`}\n`);
    for (const line of connectInstructions(cluster)) process.stdout.write(`${line}\n`);
    process.stdout.write("Press Ctrl-C to stop.\n");
  }
  // At most one progress line per poll, however many jobs changed in between.
  const report = () => {
    const status = cluster.status();
    progress.show(values.json ? JSON.stringify({ progress: status.counts, targetJobs: status.targetJobs }) : formatProgress(status, cluster.spec.processes));
  };
  report();
  const timer = setInterval(report, options.pollIntervalMs ?? 2_000);
  cluster.on("job-failed", (job, details) => {
    progress.clear();
    logger.warn(`job ${job.id} failed${job.reason ? `: ${job.reason}` : ""}${details.logTail ? `\n${details.logTail}` : ""}`);
  });
  const code = await stopped;
  clearInterval(timer);
  return code;
}
