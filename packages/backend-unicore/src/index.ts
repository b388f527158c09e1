// No side effects: importing the package registers nothing (use "@daskq/backend-unicore/register").
export { UnicoreClient, fileUrl, type UnicoreClientOptions, type UnicoreJob, type UnicoreJobStatus, type UnicoreIdentity, type UnicoreFileEntry } from "./unicore-client.js";
export { UnicoreCredentials, resolveCredentials, type CredentialSettings, type CredentialSource } from "./unicore-credentials.js";
export { UnicoreError } from "./unicore-error.js";
export { BASE_DESCRIPTION, completeDescription, shellWords, withPrecommand, readBaseDescription, unicoreMemory, unicoreRuntime, type UnicoreJobDescription, type DescriptionParts } from "./job-description.js";
export { jobStatusOf, ABORTED_MESSAGE } from "./unicore-status.js";
export { openForward, FORWARDING_UPGRADE, type ForwardTarget } from "./socket-forward.js";
export { PortForwarder } from "./port-forwarder.js";
export { UnicoreSchedulerJob, SCHEDULER_FILE, type SchedulerJobOptions } from "./unicore-scheduler-job.js";
export { jobLogTail } from "./job-log-tail.js";
export { UnicoreBackend } from "./unicore-backend.js";
export { unicoreBackend, createUnicoreBackend } from "./unicore-descriptor.js";
export { UNICORE_CONFIG_KEYS, UNICORE_OPTIONS, readUnicoreOptions, requireUrl, type UnicoreOptions } from "./unicore-options.js";
export { register } from "./registration.js";
