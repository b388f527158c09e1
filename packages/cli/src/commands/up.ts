import { DaskqError, JobQueueCluster } from "@daskq/core";
import { adaptOptionsFrom, CLUSTER_OPTIONS_HELP, clusterOptionsFrom, parseClusterArgs, scaleRequestFrom } from "../cli-options.js";
import { consoleLogger } from "../console-logger.js";
import { formatProgress } from "../progress.js";

export const UP_HELP = `Usage: daskq up [options]

Starts a Dask scheduler and worker jobs, prints the scheduler address and dashboard link, shows
progress while workers arrive, and stays up until Ctrl-C; then cancels every job and stops.

Examples:
  daskq up --backend slurm --jobs 10 --cores 8 --memory 16GB
  daskq up --backend slurm --adapt --minimum 0 --maximum 20
  daskq up --backend slurm --ssh login.example.org --jobs 4     # from a laptop, over SSH

${CLUSTER_OPTIONS_HELP}`;

/** `daskq up`: resolves with the exit code once the cluster is closed. */
export async function up(argv: string[]): Promise<number> {
  const { values } = parseClusterArgs(argv);
  if (values.help) {
    process.stdout.write(`${UP_HELP}\n`);
    return 0;
  }
  const logger = consoleLogger(values.verbose ?? false);
  const request = scaleRequestFrom(values);
  if (values.adapt && request) throw new DaskqError("cli", "give --adapt or --jobs/--workers, not both");
  const cluster = await JobQueueCluster.create({ ...clusterOptionsFrom(values), logger, handleSignals: false });
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write("\ndaskq: closing the cluster (cancelling jobs)...\n");
      void cluster.close().then(() => resolve(code));
    };
    process.once("SIGINT", stop(0));
    process.once("SIGTERM", stop(0));
    process.once("SIGHUP", stop(0));
    // A cluster error is what the cluster cannot fix by itself (the scheduler died, jobs keep
    // failing to start and submission stopped): say why, with the log tail, and exit non-zero.
    cluster.once("cluster-error", (error) => {
      logger.error(error.message);
      stop(1)();
    });
  });
  if (values.adapt) {
    cluster.on("scale-decision", (d) => {
      if (d.action !== "same") process.stderr.write(`daskq adapt: ${d.reason}\n`);
    });
    await cluster.adapt(adaptOptionsFrom(values));
  } else {
    await cluster.scale(request ?? { jobs: 1 });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ schedulerAddress: cluster.schedulerAddress, workerSchedulerAddress: cluster.workerSchedulerAddress, dashboardLink: cluster.dashboardLink ?? null, backend: cluster.backendName })}\n`);
  } else {
    const forwarded = cluster.workerSchedulerAddress !== cluster.schedulerAddress;
    process.stdout.write(`Scheduler: ${cluster.schedulerAddress}${forwarded ? ` (forwarded over ${cluster.runner.description} to ${cluster.workerSchedulerAddress})` : ""}\n`);
    process.stdout.write(`Dashboard: ${cluster.dashboardLink ?? "(not available: install bokeh for the dashboard)"}\n`);
    process.stdout.write(`Connect with: Client("${cluster.schedulerAddress}")   Press Ctrl-C to stop.\n`);
  }
  let last = "";
  const report = () => {
    const line = formatProgress(cluster.status(), cluster.spec.processes);
    if (line === last) return;
    last = line;
    if (values.json) process.stdout.write(`${JSON.stringify({ progress: cluster.status().counts, targetJobs: cluster.status().targetJobs })}\n`);
    else process.stdout.write(`${line}\n`);
  };
  const timer = setInterval(report, 500);
  for (const event of ["worker-joined", "worker-left", "job-submitted", "job-running", "job-ended"] as const) cluster.on(event, report);
  cluster.on("job-failed", (job, details) => logger.warn(`job ${job.id} failed${job.reason ? `: ${job.reason}` : ""}${details.logTail ? `\n${details.logTail}` : ""}`));
  const code = await stopped;
  clearInterval(timer);
  return code;
}
