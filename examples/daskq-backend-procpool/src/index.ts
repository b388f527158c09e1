export { ProcpoolBackend, type ProcpoolConnection } from "./procpool-backend.js";
export { procpoolBackend, PROCPOOL_CONFIG_KEYS } from "./procpool-descriptor.js";
export { register } from "./registration.js";
export { startProcpoolAgent, type AgentOptions, type RunningAgent } from "./procpool-agent.js";
export type { AgentJob, AgentJobState, SubmitBody, SubmitAnswer, StatusAnswer, CancelBody } from "./procpool-api.js";
