// No side effects: importing the package registers nothing (use "@daskq/backend-marathon/register").
export { MarathonBackend } from "./marathon-backend.js";
export { marathonBackend, createMarathonBackend, marathonClient, MARATHON_CONFIG_KEYS } from "./marathon-descriptor.js";
export { register } from "./registration.js";
export { MarathonClient, type MarathonClientOptions, type MarathonAuth, type Fetch, type DeployableOptions } from "./marathon-client.js";
export { MarathonApiError } from "./marathon-error.js";
export { fetchWithCa } from "./fetch-with-ca.js";
export { marathonAppDefinition, marathonAppId, workerTaskCommand } from "./marathon-app.js";
export { readMarathonOptions, requireUrl, MARATHON_OPTIONS, type MarathonOptions } from "./marathon-options.js";
export { jobStateOfTask } from "./marathon-task-state.js";
export { TaskSlots, type TaskSlot, type SlotObservation } from "./task-slots.js";
export type { MarathonApp, MarathonAppDefinition, MarathonTask, MarathonTaskFailure, DeploymentResult, MarathonErrorBody } from "./marathon-api.js";
