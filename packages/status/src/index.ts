export { serveStatusPage, type StatusPage, type StatusPageOptions } from "./serve-status-page.js";
export { StatusServer, type StatusServerOptions } from "./status-server.js";
export { StatusRecorder, type StatusRecorderOptions } from "./status-recorder.js";
export type { StatusReport, ClusterSummary, GroupRow, JobRow, WorkerRow, DecisionRow, HistoryPoint } from "./status-report.js";
