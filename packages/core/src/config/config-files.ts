import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "../errors.js";

/** Where to look for config files; injected so that tests never read the real machine's configuration. */
export interface ConfigFileContext {
  /** The environment holding `DASK_ROOT_CONFIG` and `DASK_CONFIG`. */
  readonly env: NodeJS.ProcessEnv;
  /** The user's home directory, holding `.config/dask`. */
  readonly homeDir: string;
}

/** One parsed config file. */
export interface ConfigDocument {
  readonly path: string;
  /** The top-level mapping, or `null` for an empty file. */
  readonly data: Record<string, unknown> | null;
}

const CONFIG_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/**
 * The places dask reads configuration from, lowest priority first: `$DASK_ROOT_CONFIG` (default `/etc/dask`),
 * `~/.config/dask`, then `$DASK_CONFIG` if set. Each is a directory or, for `DASK_CONFIG`, possibly a single file.
 * An empty variable contributes nothing, as in dask.
 */
export function configSearchPaths(context: ConfigFileContext): string[] {
  const paths = [context.env["DASK_ROOT_CONFIG"] ?? "/etc/dask", join(context.homeDir, ".config", "dask")];
  const daskConfig = context.env["DASK_CONFIG"];
  if (daskConfig !== undefined) paths.push(daskConfig);
  return paths.filter((path) => path !== "");
}

/**
 * The config files dask would read, lowest priority first: in each search path, every `*.yaml`, `*.yml` and
 * `*.json` file sorted by name (a path that is a file is taken as is; a missing path is skipped). A file reached
 * twice (e.g. `DASK_CONFIG=~/.config/dask`) is listed once, at its later position, which gives the same result.
 */
export function listConfigFiles(context: ConfigFileContext): string[] {
  const files: string[] = [];
  for (const path of configSearchPaths(context)) {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats?.isFile()) {
      files.push(resolve(path));
    } else if (stats?.isDirectory()) {
      const names = readdirSync(path)
        .filter((name) => CONFIG_EXTENSIONS.has(extname(name).toLowerCase()))
        .sort();
      const isFile = (file: string): boolean => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
      files.push(...names.map((name) => resolve(path, name)).filter(isFile));
    }
  }
  return files.filter((file, i) => files.lastIndexOf(file) === i);
}

/**
 * Reads and parses every config file of `listConfigFiles`, then `extraFiles`, lowest priority first. JSON files are parsed as YAML,
 * as dask does. Files the user may not read are skipped, as dask skips them.
 *
 * @throws ConfigError naming the file and line on a YAML syntax error, or when the top level is not a mapping.
 */
export function readConfigFiles(context: ConfigFileContext, extraFiles: readonly string[] = []): ConfigDocument[] {
  const documents: ConfigDocument[] = [];
  const extra = extraFiles.map((file) => resolve(file));
  for (const path of [...listConfigFiles(context).filter((file) => !extra.includes(file)), ...extra]) {
    const text = readUnlessForbidden(path);
    if (text !== undefined) documents.push({ path, data: parseConfigText(text, path) });
  }
  return documents;
}

function readUnlessForbidden(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") return undefined;
    throw error;
  }
}

/**
 * Parses the text of one config file. Duplicate keys are allowed (the last wins) and `<<` merge keys are
 * honoured, as with Python's `yaml.safe_load`.
 *
 * @throws ConfigError naming `path` and the line on a syntax error, or when the top level is not a mapping.
 */
export function parseConfigText(text: string, path: string): Record<string, unknown> | null {
  const document = parseDocument(text, { uniqueKeys: false, merge: true });
  const [error] = document.errors;
  // The message ends with "at line L, column C:" and the offending line.
  if (error) throw new ConfigError(`YAML syntax error: ${error.message.trimEnd()}`, { source: path });
  const data: unknown = document.toJS();
  if (data === null || data === undefined) return null;
  if (typeof data !== "object" || Array.isArray(data)) {
    const got = Array.isArray(data) ? "a list" : `the scalar ${JSON.stringify(data)}`;
    throw new ConfigError(`the top level of a config file must be a mapping (e.g. "jobqueue:"), got ${got}`, { source: path });
  }
  return data as Record<string, unknown>;
}
