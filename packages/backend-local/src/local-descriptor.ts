import type { BackendDescriptor } from "@daskq/core";
import { LocalBackend } from "./local-backend.js";

/** The local backend: jobs are processes on this machine (or on the runner's host). */
export const localBackend: BackendDescriptor = {
  name: "local",
  description: "jobs are local processes (no batch system needed)",
  configKeys: [],
  defaults: { cores: 1, memory: "2GiB", walltime: null },
  defaultSchedulerHost: "127.0.0.1",
  create: (context) => new LocalBackend(context),
};
