import type { GenericSchema } from "valibot";

/** The value types a config key can hold; each has one parser with dask's meaning. */
export type ConfigKind =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  /** A size: `16GB` = 16e9 bytes, `16GiB` = 2^34 bytes, or a plain number of bytes. */
  | "bytes"
  /** A duration: `01:00:00`, `1-00:00:00`, `90m`, `1h30m`, or a plain number of seconds. */
  | "walltime"
  /** A list of strings (a YAML sequence). */
  | "string-list"
  /** A mapping with string keys (a YAML mapping), e.g. `scheduler-options` or `env`; deep-merged across layers. */
  | "map";

/** One configuration key, as it appears under `jobqueue.<section>` in YAML (kebab-case). */
export interface ConfigKey {
  /** Kebab-case name, e.g. `death-timeout`. */
  readonly name: string;
  readonly kind: ConfigKind;
  /** Default, in the raw form a YAML file would hold (e.g. `"00:30:00"`), or undefined for none. */
  readonly default?: unknown;
  /** One line for `daskq config` and the docs. */
  readonly description: string;
  /** Older dask-jobqueue names that mean the same (e.g. `env-extra` for `job-script-prologue`). */
  readonly aliases?: readonly string[];
  /** A credential (e.g. a token): `daskq config` shows only that it is set, never the value. */
  readonly secret?: boolean;
  /**
   * The checks of the value after its kind's parse, and its typed form (a valibot schema, made by
   * `configKey`). The loader runs it on the winning value, so a bad value is an error naming its
   * source and key path; a key without one is checked by its kind alone.
   */
  readonly schema?: GenericSchema<unknown, unknown>;
}

/**
 * The canonical spelling of a config name: dask treats `_` and `-` in keys as the same character, so
 * `death_timeout` and `death-timeout` name one key. daskq spells keys with `-`.
 */
export function canonicalKeyName(name: string): string {
  return name.replaceAll("_", "-");
}

/** The dotted path of a key in the dask config, e.g. `jobqueue.slurm.memory`. */
export function configKeyPath(section: string, key: string): string {
  return `jobqueue.${section}.${key}`;
}
