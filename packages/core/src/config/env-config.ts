import { canonicalKeyName } from "./config-key.js";
import { parsePythonLiteral } from "./python-literal.js";

/** One `DASK_JOBQUEUE__...` environment variable, split and interpreted. */
export interface EnvConfigEntry {
  /** The variable name as written, e.g. `DASK_JOBQUEUE__SLURM__CORES`. */
  readonly variable: string;
  /** The config section, canonical (lower case, `-` for `_`), e.g. `slurm`. */
  readonly section: string;
  /** The key, canonical, e.g. `death-timeout`; undefined for `DASK_JOBQUEUE__<SECTION>` alone. */
  readonly key: string | undefined;
  /**
   * Further levels, inside a mapping key: `DASK_JOBQUEUE__SLURM__SCHEDULER_OPTIONS__DASHBOARD_ADDRESS` gives
   * `["dashboard_address"]`. Lower-cased as dask does, `_` kept (they name keys of a mapping, not config keys).
   */
  readonly subPath: readonly string[];
  /** The interpreted value (see `interpretEnvValue`). */
  readonly value: unknown;
}

const PREFIX = "DASK_";

/**
 * The `DASK_JOBQUEUE__<SECTION>__<KEY>=value` variables of `env`, sorted by name. As in dask, `DASK_` is
 * case-sensitive, the rest of the name is not, and `__` separates levels; `_` and `-` are the same in names.
 */
export function readEnvConfig(env: NodeJS.ProcessEnv): EnvConfigEntry[] {
  const entries: EnvConfigEntry[] = [];
  for (const variable of Object.keys(env).sort()) {
    const text = env[variable];
    if (!variable.startsWith(PREFIX) || text === undefined) continue;
    const [top, section, key, ...subPath] = variable.slice(PREFIX.length).toLowerCase().split("__");
    if (top !== "jobqueue" || section === undefined || section === "") continue;
    entries.push({
      variable,
      section: canonicalKeyName(section),
      key: key === undefined ? undefined : canonicalKeyName(key),
      subPath,
      value: interpretEnvValue(text),
    });
  }
  return entries;
}

/**
 * Interprets the text of an environment variable as dask does: a Python literal (`4`, `1e6`, `True`, `None`,
 * `['a', 'b']`, `{'a': 1}`) becomes that value; otherwise `true`/`false`/`none`/`null` in any case become
 * booleans or null; anything else (`16GB`, `00:30:00`, `#!/bin/bash`) stays a string.
 */
export function interpretEnvValue(text: string): unknown {
  const literal = parsePythonLiteral(text);
  if (literal) return literal.value;
  const word = text.toLowerCase();
  if (word === "true") return true;
  if (word === "false") return false;
  if (word === "none" || word === "null") return null;
  return text;
}

/** The variable that sets `key` of `section`, e.g. `DASK_JOBQUEUE__SLURM__CORES` (as a hint in messages). */
export function envVariableName(section: string, key: string): string {
  return `${PREFIX}JOBQUEUE__${section}__${key}`.toUpperCase().replaceAll("-", "_");
}
