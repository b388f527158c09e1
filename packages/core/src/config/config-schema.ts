import * as v from "valibot";
import { ConfigError } from "../errors.js";
import { configKeyPath, type ConfigKey, type ConfigKind } from "./config-key.js";
import { describeValue, KIND_EXPECTED } from "./parse-value.js";

/** The value each kind's parse gives (see `parseConfigValue`): what a key's `value` schema starts from. */
export interface KindValue {
  string: string;
  integer: number;
  number: number;
  boolean: boolean;
  bytes: number;
  walltime: number;
  "string-list": string[];
  map: Record<string, unknown>;
}

/** A valibot schema from a kind's value to a key's typed option (checks, transforms). */
export type ValueSchema<I, O> = v.GenericSchema<I, O>;

/** A `ConfigKey` declared with `configKey`: the loader's facts plus the schema of its typed value. */
export interface TypedConfigKey<O, Filled extends boolean = boolean> extends ConfigKey {
  readonly schema: v.GenericSchema<unknown, O>;
  /** Phantom: whether `readOptions` fills the default in (typed `O` rather than `O | undefined`). */
  readonly filled?: Filled;
}

/** What `configKey` takes besides the kind: the `ConfigKey` facts and the checks of the value. */
export interface KeyDeclaration<I, O> {
  /** One line for `daskq config` and the docs. */
  readonly description: string;
  /** Default in the raw form a YAML file would hold; for bytes and walltime keys the loader alone applies it. */
  readonly default?: unknown;
  /** Older names that mean the same (e.g. `env-extra`). */
  readonly aliases?: readonly string[];
  /** A credential: `daskq config` shows only that it is set, the state file never holds it. */
  readonly secret?: boolean;
  /**
   * Checks and transforms of the kind's value (valibot, re-exported by core as `schema`), e.g.
   * `schema.pipe(schema.number(), schema.minValue(1, expected("a positive integer")))`. The loader runs
   * them on the winning value; `readOptions` gives their output as the typed option.
   */
  readonly value?: ValueSchema<I, O>;
}

/** Kinds whose raw default is not their parsed value: their default is applied by the loader only. */
type UnitKind = "bytes" | "walltime";

/**
 * Declares one config key: its kind, description, default, aliases and secret flag for the loader and
 * `daskq config`, and the schema of its typed value. The loader checks the winning value with it
 * (errors name the file, env variable or option and `jobqueue.<section>.<key>`); `readOptions` turns
 * validated values into typed options.
 */
export function configKey<K extends ConfigKind, O = KindValue[K], D extends { readonly default?: unknown } = object>(
  kind: K,
  declaration: KeyDeclaration<KindValue[K], O> & D,
): TypedConfigKey<NoInfer<O>, K extends UnitKind ? false : D extends { readonly default: {} | null } ? true : false> {
  const base = v.pipe(v.unknown(), v.check((input) => isKindValue(kind, input), expected(KIND_EXPECTED[kind].replace(/^expected /, ""))));
  const schema = declaration.value ? v.pipe(base, declaration.value as v.GenericSchema<unknown, O>) : base;
  return {
    name: "",
    kind,
    description: declaration.description,
    ...(declaration.default !== undefined && { default: declaration.default }),
    ...(declaration.aliases && { aliases: declaration.aliases }),
    ...(declaration.secret && { secret: true }),
    schema: schema as v.GenericSchema<unknown, O>,
  };
}

/**
 * A message for a failed check: `expected <what>, got <the value>`, the form every config error uses.
 * `what` may start with `expected ` or not.
 */
export function expected(what: string): (issue: v.BaseIssue<unknown>) => string {
  const text = what.startsWith("expected ") ? what : `expected ${what}`;
  return (issue) => `${text}, got ${describeValue(issue.input)}`;
}

/** The keys of a backend (or core's shared keys) declared once: the loader's key list and the typed reader. */
export interface OptionsSchema<S extends Readonly<Record<string, TypedConfigKey<unknown>>>> {
  /** The declarations by name, for a backend that shares some of them (DRMAA takes Grid Engine's). */
  readonly declared: S;
  /** Every key with its name, in declaration order, for `BackendDescriptor.configKeys`. */
  readonly keys: readonly TypedConfigKey<unknown>[];
  /**
   * Typed options from validated values (`JobSpec.backendOptions`, `BackendContext.options`), see
   * `readOptions`; `defaults: false` leaves absent keys undefined.
   */
  read(values: Readonly<Record<string, unknown>> | undefined, where: ReadOptionsWhere & { readonly defaults?: true }): OptionsOf<S>;
  read(values: Readonly<Record<string, unknown>> | undefined, where: ReadOptionsWhere & { readonly defaults: false }): Partial<OptionsOf<S>>;
}

/** Where the values were read from, for errors: the section (`slurm-gpu` for a pool's own section). */
export interface ReadOptionsWhere {
  readonly section: string;
}

/** The typed options of a schema: each key's output, `| undefined` unless its default is filled in. */
export type OptionsOf<S> = {
  readonly [K in keyof S]: S[K] extends TypedConfigKey<infer O, true> ? O : S[K] extends TypedConfigKey<infer O, boolean> ? O | undefined : never;
};

/**
 * Declares a set of keys once, by name (`{ "job-cpu": configKey("integer", {...}), ... }`): `keys` for the
 * loader and `daskq config`, `read` for the typed options the backend uses.
 */
export function defineOptions<S extends Readonly<Record<string, TypedConfigKey<unknown>>>>(declared: S): OptionsSchema<S> {
  const keys = Object.entries(declared).map(([name, key]) => ({ ...key, name }));
  const read = (values: Readonly<Record<string, unknown>> | undefined, where: ReadOptionsWhere & { readonly defaults?: boolean }) =>
    readOptions(keys, values, { section: where.section, defaults: where.defaults ?? true });
  return { declared, keys, read } as OptionsSchema<S>;
}

/**
 * Typed options from already parsed values (kebab-case keys, as the loader gives them): each key's schema
 * runs on its value; an absent or `null` key takes its default when `defaults` (not for bytes and walltime
 * keys, whose default the loader applies), else stays undefined.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` (and the place inside it) and what was expected.
 */
export function readOptions(
  keys: readonly ConfigKey[],
  values: Readonly<Record<string, unknown>> | undefined,
  where: { readonly section: string; readonly defaults: boolean },
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    let value = values?.[key.name];
    if (value === undefined || value === null) {
      if (!where.defaults || key.default === undefined || key.default === null || key.kind === "bytes" || key.kind === "walltime") {
        result[key.name] = undefined;
        continue;
      }
      value = structuredClone(key.default);
    }
    result[key.name] = checkValue(key, value, where.section);
  }
  return result;
}

/**
 * `value` (of the key's kind) through the key's schema: its typed form.
 *
 * @throws ConfigError naming `source` (when given), `jobqueue.<section>.<key>` and what was expected.
 */
export function checkValue(key: ConfigKey, value: unknown, section: string, source?: string): unknown {
  if (!key.schema) return value;
  const outcome = v.safeParse(key.schema, value);
  if (outcome.success) return outcome.output;
  const issue = outcome.issues[0];
  const keyPath = configKeyPath(section, key.name) + issuePath(issue.path);
  throw new ConfigError(issue.message, { ...(source !== undefined && { source }), keyPath });
}

/** The place inside a value a valibot issue points at: `[0]` in a list, `.name` in a mapping. */
function issuePath(path: v.IssuePathItem[] | undefined): string {
  return (path ?? []).map((item) => (item.type === "array" ? `[${String(item.key)}]` : `.${String(item.key)}`)).join("");
}

function isKindValue(kind: ConfigKind, input: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof input === "string";
    // Only the type: the loader's parse has checked the range (>= 0) of loaded values, and a key's own
    // `value` schema says more precisely what it needs (e.g. a whole number of seconds >= 0).
    case "integer":
      return typeof input === "number" && Number.isSafeInteger(input);
    case "number":
    case "bytes":
    case "walltime":
      return typeof input === "number" && Number.isFinite(input);
    case "boolean":
      return typeof input === "boolean";
    case "string-list":
      return Array.isArray(input) && input.every((item) => typeof item === "string");
    case "map":
      return typeof input === "object" && input !== null && !Array.isArray(input);
  }
}

/** The schema of an integer key that must be at least 1 (`array-max-running`, `job-cpu`). */
export const POSITIVE_INTEGER: ValueSchema<number, number> = v.pipe(v.number(), v.minValue(1, expected("a positive integer")));

/**
 * `value` as a positive integer, for values that did not come through the loader (a `JobSpec` made
 * by hand, a count).
 *
 * @throws ConfigError naming `keyPath` otherwise.
 */
export function positiveInteger(value: unknown, keyPath: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`expected a positive integer, got ${JSON.stringify(value)}`, { keyPath });
  }
  return value;
}

/** The schema of a string key whose empty value means unset: its typed value is then undefined. */
export const TEXT_OR_UNSET: ValueSchema<string, string | undefined> = v.pipe(
  v.string(),
  v.transform((text) => (text === "" ? undefined : text)),
);

/** `TEXT_OR_UNSET` of the trimmed string: blank is unset too. */
export const TRIMMED_OR_UNSET: ValueSchema<string, string | undefined> = v.pipe(v.string(), v.trim(), TEXT_OR_UNSET);
