import { DaskqError, type BackendDescriptor, type ConfigKey } from "@daskq/core";
import { ProcpoolBackend } from "./procpool-backend.js";

/** Where `procpool-agent` listens by default. */
const DEFAULT_URL = "http://127.0.0.1:8791";

/** The backend's own config keys, under `jobqueue.procpool` (shared keys such as `cores` come from core). */
export const PROCPOOL_CONFIG_KEYS: readonly ConfigKey[] = [
  { name: "url", kind: "string", default: DEFAULT_URL, description: "base URL of the procpool agent" },
  { name: "token", kind: "string", description: "bearer token the agent was started with; prefer the variable named by token-env", secret: true },
  { name: "token-env", kind: "string", default: "PROCPOOL_TOKEN", description: "environment variable holding the token (also read by daskq's watchdog)" },
];

/** The registration unit: what `daskq backends` lists and what creates a backend per cluster. */
export const procpoolBackend: BackendDescriptor = {
  name: "procpool",
  description: "worker jobs run by a procpool agent over HTTP (example third-party backend)",
  configKeys: PROCPOOL_CONFIG_KEYS,
  defaults: { cores: 1, memory: "1GiB", walltime: null },
  create: ({ options }) => {
    const url = options?.["url"] ?? DEFAULT_URL;
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) throw new DaskqError("procpool", `jobqueue.procpool.url: expected an http(s) URL, got ${JSON.stringify(url)}`);
    const tokenEnv = (options?.["token-env"] as string | undefined) ?? "PROCPOOL_TOKEN";
    return new ProcpoolBackend({ url, token: (options?.["token"] as string | undefined) ?? process.env[tokenEnv] });
  },
};
