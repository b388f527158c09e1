import type { BackendDescriptor } from "../backend/backend.js";
import { loadConfig, type ResolvedConfig } from "./load-config.js";
import { SHARED_KEYS } from "./shared-keys.js";

/** Where a backend's configuration comes from, besides the standard dask config files and env. */
export interface BackendConfigSources {
  /** Options that beat env and files (camelCase, kebab-case or snake_case names). */
  readonly job?: Readonly<Record<string, unknown>>;
  /** Named section, like dask-jobqueue's `config_name`: reads `jobqueue.<configName>`. */
  readonly configName?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Home directory for ~/.config/dask (tests). */
  readonly homeDir?: string;
  /** Config files read after the usual ones (a pools file, see `readPoolsFile`). */
  readonly configFiles?: readonly string[];
}

/** Loads `jobqueue.<backend>` (or the named section) with the shared keys plus the backend's own. */
export function loadBackendConfig(descriptor: BackendDescriptor, sources: BackendConfigSources = {}): ResolvedConfig {
  return loadConfig({
    section: sources.configName ?? descriptor.name,
    keys: [...SHARED_KEYS, ...descriptor.configKeys],
    defaults: descriptor.defaults,
    options: sources.job,
    env: sources.env ?? process.env,
    homeDir: sources.homeDir,
    extraFiles: sources.configFiles,
    walltimeTwoPart: descriptor.walltimeTwoPart,
    walltimeBareUnit: descriptor.walltimeBareUnit,
  });
}
