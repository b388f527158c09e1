import "reflect-metadata";

export * from "./errors.js";
export { type Logger, silentLogger } from "./logger.js";
export { canonicalKeyName, configKeyPath, type ConfigKey, type ConfigKind } from "./config/config-key.js";
export {
  configKey,
  defineOptions,
  expected,
  positiveInteger,
  POSITIVE_INTEGER,
  readOptions,
  TEXT_OR_UNSET,
  TRIMMED_OR_UNSET,
  type KeyDeclaration,
  type KindValue,
  type OptionsOf,
  type OptionsSchema,
  type ReadOptionsWhere,
  type TypedConfigKey,
  type ValueSchema,
} from "./config/config-schema.js";
/** valibot, the schema library of config keys (`configKey({ value })`): backends need no dependency of their own. */
export * as schema from "valibot";

export type { JobSpec } from "./job/job-spec.js";
export { type JobState, TERMINAL_STATES, isTerminal, nextJobState } from "./job/job-state.js";
export { JobNaming } from "./job/job-naming.js";
export { shellQuote, shellQuoteWithVariable, shellQuoteExpandingVariables } from "./shell-quote.js";
export {
  workerLaunch,
  workerArgv,
  workerShellCommand,
  workerShellWords,
  workerNameWord,
  type WorkerTlsFiles,
  type WorkerLaunch,
  type WorkerNaming,
} from "./job/worker-command.js";
export { workerLifetime, defaultLifetimeMargin, lifetimeArguments, type WorkerLifetime } from "./job/worker-lifetime.js";
export { renderJobScript, renderHeader } from "./job/job-script.js";
export { submitRequest, type SubmissionParts } from "./job/submit-request.js";

export type {
  Backend,
  BackendCapabilities,
  BackendContext,
  BackendDescriptor,
  ArrayIndex,
  HeaderContext,
  JobStatus,
  NamedJob,
  ScriptFormat,
  SubmitRequest,
  SchedulerLaunchRequest,
} from "./backend/backend.js";
export { CliBackend, type CliBackendOptions, type ScriptSubmission } from "./backend/cli-backend.js";
export { clusterOutputLocation, type OutputLocation } from "./pool/output-directory.js";

export type { CommandRunner, CommandResult, RunOptions, LocalForward } from "./runner/command-runner.js";
export { LocalRunner } from "./runner/local-runner.js";
export { runChecked } from "./runner/run-checked.js";
export { runCancelCommand, onlyHarmlessLines, type CancelCommand } from "./runner/run-cancel-command.js";
export { checkSubmitRequest } from "./backend/check-submit-request.js";
export { lastLines } from "./backend/last-lines.js";

export { HttpJson, answerJson, refusedCredentials, requestName, withoutUserInfo, type Fetch, type HttpRequest, type HttpAnswer, type HttpJsonOptions } from "./http/http-json.js";
export { UnreachableError } from "./http/unreachable-error.js";
export { fetchWithConnection, type ConnectionSettings } from "./http/fetch-with-connection.js";

export { BACKEND, COMMAND_RUNNER } from "./registry/tokens.js";
export { registerBackend, listBackends, findBackend } from "./registry/backend-registry.js";
export { findBackendPackages, loadBackends, type BackendPackage } from "./registry/backend-packages.js";

export { parseAddress, formatAddress, type DaskAddress } from "./scheduler/address.js";
export { DaskComm, type ConnectOptions, type TlsFiles } from "./scheduler/dask-comm.js";
export { RpcClient, type RpcOptions } from "./scheduler/rpc-client.js";
export {
  SchedulerConnection,
  type SchedulerIdentity,
  type WorkersToCloseOptions,
  type RetireSelector,
  type ResourceDemand,
} from "./scheduler/scheduler-connection.js";
export { WorkerStatusStream, type WorkerStatusEvents } from "./scheduler/worker-status-stream.js";
export { WorkerWatch, type WorkerWatchOptions, type WorkerWatchEvents, type WorkerCatchUp } from "./scheduler/worker-watch.js";
export type { WorkerInfo } from "./scheduler/worker-info.js";
export { toWorkerLoads, type WorkerLoad } from "./scheduler/worker-load.js";
export { SchedulerProcess, type SchedulerProcessOptions, type SchedulerProcessEvents } from "./scheduler/scheduler-process.js";
export type { LaunchedScheduler, LaunchedSchedulerEvents } from "./scheduler/launched-scheduler.js";
export { RemoteScheduler, type RemoteSchedulerOptions } from "./scheduler/remote-scheduler.js";
export { findPython, findRemotePython, type PythonWithDask } from "./scheduler/find-python.js";

export { loadConfig, type ResolvedConfig, type ValueSource } from "./config/load-config.js";
export { loadBackendConfig, type BackendConfigSources } from "./config/load-backend-config.js";
export { SHARED_KEYS, SHARED_OPTIONS } from "./config/shared-keys.js";
export { interpretEnvValue } from "./config/env-config.js";
export { dashboardLinkTemplate, formatDashboardLink, DEFAULT_DASHBOARD_LINK, type DashboardLinkTemplate, type LinkTarget } from "./config/dashboard-link.js";
export { resolveJobSpec } from "./config/job-spec-from-config.js";
export { parseBytes, formatBytes, parseWalltime, formatWalltime } from "./config/units.js";
export { formatConfig, configToJson } from "./config/format-config.js";

export type {
  JobQueueClusterOptions,
  SchedulerOptions,
  SchedulerPlacement,
  ClusterStatus,
  PoolScaleRequest,
} from "./cluster/cluster-options.js";
export { JobQueueCluster } from "./cluster/job-queue-cluster.js";
export type { ClusterEvents } from "./cluster/cluster-events.js";
export type { ReconcilerEvents } from "./pool/reconciler-events.js";
export type { JobSnapshot } from "./pool/tracked-job.js";
export { jobsForRequest, type ScaleRequest } from "./cluster/scale-request.js";
export { readPoolsFile } from "./config/pools-file.js";
export { checkPools, providesResources, resourceArguments, type PoolOptions } from "./pool/pool-options.js";
export { WorkerPool, type PoolStatus, type WorkerPoolParts } from "./pool/worker-pool.js";
export { PoolsAdaptive } from "./adaptive/pools-adaptive.js";
export { SCHEDULER_PRELOAD } from "./scheduler/scheduler-preload.js";
export { previewJobScript, type PreviewOptions } from "./cluster/preview-job-script.js";
export { readJobLogTail } from "./cluster/read-job-log-tail.js";

export { stateDirectory, daskqHome } from "./ownership/state-directory.js";
export { createClusterCertificates, type TlsPem } from "./security/cluster-certificates.js";
export { renderTlsSetup, renderTlsWorker, tlsWorkerWords } from "./security/job-tls.js";
export { clientTlsEnv, createClusterTls, readUserTls, tlsArguments, type ClusterTls, type TlsSetting } from "./security/cluster-tls.js";
export {
  clusterCondition,
  listClusterRecords,
  poolParts,
  readClusterRecord,
  recordedJobs,
  type ClusterCondition,
  type ClusterRecord,
  type PoolRecord,
  type RecordedJob,
  type CleanupReport,
} from "./ownership/cluster-record.js";
export { cleanUpCluster, type CleanupOptions } from "./ownership/clean-up-cluster.js";
export { isAlive, isLocal, type ProcessIdentity } from "./ownership/process-identity.js";

export { Adaptive, type AdaptiveOptions } from "./adaptive/adaptive.js";
export { JobAdaptive } from "./adaptive/job-adaptive.js";
export { jobBounds, type AdaptOptions, type JobBounds } from "./adaptive/adapt-options.js";
export { adaptiveTargetUnit, targetWorkers, type AdaptiveTargetUnit } from "./adaptive/adaptive-target.js";
export type { ScaleDecision } from "./adaptive/scale-decision.js";

export { SshRunner, remoteCommandLine, type SshRunnerOptions } from "./ssh/ssh-runner.js";
export { SshConnection, type SshConnectionOptions, type SshConnectionEvents } from "./ssh/ssh-connection.js";
export { parseSshDestination, formatSshDestination, type SshDestination } from "./ssh/ssh-destination.js";
export { resolveSshEndpoint, type SshEndpoint, type SshConfigSources, type HostKeyPolicy } from "./ssh/ssh-endpoint.js";
export { KnownHosts, knownHostsName, describeHostKey, recordHostKey, type HostKey, type HostKeyVerdict } from "./ssh/known-hosts.js";
export { PASSPHRASE_ENV, type SshAuthOptions } from "./ssh/ssh-auth.js";
