import { configKey, defineOptions, expected, schema, type BackendDescriptor, type ConfigKey } from "@daskq/core";
import { ProcpoolBackend } from "./procpool-backend.js";

/** The backend's own config keys, under `jobqueue.procpool` (shared keys such as `cores` come from core), declared once. */
export const PROCPOOL_OPTIONS = defineOptions({
  url: configKey("string", {
    default: "http://127.0.0.1:8791",
    description: "base URL of the procpool agent",
    value: schema.pipe(schema.string(), schema.regex(/^https?:\/\//, expected("an http(s) URL"))),
  }),
  token: configKey("string", { description: "bearer token the agent was started with; prefer the variable named by token-env", secret: true }),
  "token-env": configKey("string", { default: "PROCPOOL_TOKEN", description: "environment variable holding the token (also read by daskq's watchdog)" }),
});

/** The keys as the loader and `daskq config` take them. */
export const PROCPOOL_CONFIG_KEYS: readonly ConfigKey[] = PROCPOOL_OPTIONS.keys;

/** The registration unit: what `daskq backends` lists and what creates a backend per cluster. */
export const procpoolBackend: BackendDescriptor = {
  name: "procpool",
  description: "worker jobs run by a procpool agent over HTTP (example third-party backend)",
  configKeys: PROCPOOL_CONFIG_KEYS,
  defaults: { cores: 1, memory: "1GiB", walltime: null },
  create: ({ options, section }) => {
    const { url, token, "token-env": tokenEnv } = PROCPOOL_OPTIONS.read(options, { section: section ?? "procpool" });
    return new ProcpoolBackend({ url, token: token ?? process.env[tokenEnv] });
  },
};
