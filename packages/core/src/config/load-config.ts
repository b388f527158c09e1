import { homedir } from "node:os";
import { ConfigError } from "../errors.js";
import { canonicalKeyName, configKeyPath, type ConfigKey } from "./config-key.js";
import { readConfigFiles } from "./config-files.js";
import { mergeMappings } from "./deep-merge.js";
import { envVariableName, readEnvConfig } from "./env-config.js";
import { isMapping, parseConfigValue } from "./parse-value.js";
import { formatWalltime, type WalltimeTwoPart } from "./units.js";

/** Where a resolved value came from. */
export interface ValueSource {
  readonly kind: "default" | "backend-default" | "file" | "env" | "option";
  /** The file path, the environment variable name, or the option name as given. */
  readonly detail?: string;
}

/** The outcome of `loadConfig`: every key of one section, validated and parsed, with where it came from. */
export interface ResolvedConfig {
  /** The section read, e.g. `slurm` for `jobqueue.slurm`. */
  readonly section: string;
  /** The keys that were resolved (shared and backend keys), in display order. */
  readonly keys: readonly ConfigKey[];
  /**
   * Parsed values by kebab-case key: bytes and walltimes as numbers (bytes, seconds), lists as string arrays,
   * maps as objects. Keys without a value (never set, or unset with `null`) are absent.
   */
  readonly values: Readonly<Record<string, unknown>>;
  /** Where each key's value came from, also for keys unset by an explicit `null`. */
  readonly sources: Readonly<Record<string, ValueSource>>;
  /** Non-fatal problems, each `<source>: <key path>: <message>` (unknown keys, deprecated names, ...). */
  readonly warnings: readonly string[];
  /** Every config file read, lowest priority first. */
  readonly files: readonly string[];
}

/** What to resolve, and from where. */
export interface LoadConfigRequest {
  /** The section under `jobqueue`: a backend name (`slurm`) or a named section like dask-jobqueue's `config_name`. */
  readonly section: string;
  /** Every key of the section: `SHARED_KEYS` plus the backend's `configKeys`. */
  readonly keys: readonly ConfigKey[];
  /** The backend's overrides of key defaults, by kebab-case name (`BackendDescriptor.defaults`). */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /**
   * Library or CLI options. Names may be camelCase, kebab-case or snake_case, or a deprecated alias.
   * `undefined` means not given; `null` explicitly unsets the key. An option replaces a mapping, it is not merged.
   */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The environment for `DASK_*` variables; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The home directory holding `.config/dask`; default the current user's. */
  readonly homeDir?: string;
  /** How the batch system reads a two-part walltime `A:B`; default `hours:minutes`. */
  readonly walltimeTwoPart?: WalltimeTwoPart;
}

/** One value that one layer gives for one key. */
interface Offer {
  readonly key: ConfigKey;
  /** The name as the layer wrote it, for messages. */
  readonly written: string;
  readonly viaAlias: boolean;
  readonly raw: unknown;
  readonly source: ValueSource;
}

/** The winning raw value of a key so far. */
interface Slot {
  readonly raw: unknown;
  readonly source: ValueSource;
}

/**
 * Resolves the configuration of one `jobqueue.<section>` the way dask and dask-jobqueue do, so that an existing
 * `jobqueue.yaml` works unchanged. Layers, lowest priority first:
 * key defaults < backend defaults < config files (see `readConfigFiles`) < `DASK_JOBQUEUE__<SECTION>__<KEY>`
 * variables < options.
 *
 * - Mappings (`scheduler-options`, `env`) are deep-merged across files and env, as dask merges; anything else
 *   replaces. In files and env, `_` and `-` in names are the same.
 * - `null` unsets: it overrides lower layers, and the key ends up without a value.
 * - Deprecated names (`env-extra`, `extra`, `job-extra`, `header-skip`, `project`) set the new key, with a
 *   warning naming the new one. A deprecated name holding `null` or an empty list is a placeholder from an old
 *   default `jobqueue.yaml` and is ignored: in dask-jobqueue it can never override the new name. When a layer
 *   gives both names, the new one wins.
 * - Unknown keys in `jobqueue.<section>` of files and env are warnings (newer dask-jobqueue versions add keys);
 *   other sections are ignored. An unknown option is an error.
 * - Only the winning value of each key is validated and parsed by its kind.
 *
 * @throws ConfigError naming the source (file path, `env DASK_...`, `option <name>`), the key path
 *   (`jobqueue.slurm.memory`) and the expected form, for a bad value, an unknown option, or a malformed file.
 */
export function loadConfig(request: LoadConfigRequest): ResolvedConfig {
  const env = request.env ?? process.env;
  const section = canonicalKeyName(request.section);
  const keyPath = (name: string): string => configKeyPath(request.section, name);
  const names = nameIndex(request.keys);
  const slots = new Map<string, Slot>();
  const warnings: string[] = [];
  const warn = (source: ValueSource, path: string, message: string): void => {
    warnings.push(`${sourceLabel(source)}: ${path}: ${message}`);
  };

  const applyLayer = (offers: readonly Offer[], merge: boolean): void => {
    const direct = new Set(offers.filter((offer) => !offer.viaAlias).map((offer) => offer.key.name));
    for (const offer of offers) {
      if (offer.viaAlias) {
        if (offer.raw === null || offer.raw === "" || (Array.isArray(offer.raw) && offer.raw.length === 0)) continue;
        const shadowed = direct.has(offer.key.name);
        const ignored = shadowed ? `; ignored because ${offer.key.name} is also set` : "";
        warn(offer.source, keyPath(offer.written), `deprecated name, use ${offer.key.name}${ignored}`);
        if (shadowed) continue;
      }
      const previous = slots.get(offer.key.name)?.raw;
      const raw = merge && isMapping(previous) && isMapping(offer.raw) ? mergeMappings(previous, offer.raw) : offer.raw;
      slots.set(offer.key.name, { raw, source: offer.source });
    }
  };
  /** An offer for a name found in a file or env, or undefined (with a warning) for an unknown name. */
  const offerFor = (written: string, raw: unknown, source: ValueSource): Offer | undefined => {
    const found = names.get(canonicalKeyName(written));
    if (!found) warn(source, keyPath(written), "unknown key, ignored");
    return found && { ...found, written, raw, source };
  };

  for (const key of request.keys) {
    if (key.default !== undefined) slots.set(key.name, { raw: key.default, source: { kind: "default" } });
  }

  applyLayer(
    Object.entries(request.defaults ?? {}).flatMap(([name, raw]): Offer[] => {
      const found = names.get(canonicalKeyName(name));
      if (!found) throw new ConfigError("unknown key in the backend's defaults", { source: "backend default", keyPath: keyPath(name) });
      return raw === undefined ? [] : [{ ...found, written: name, raw, source: { kind: "backend-default" } }];
    }),
    false,
  );

  const documents = readConfigFiles({ env, homeDir: request.homeDir ?? homedir() });
  for (const { path, data } of documents) {
    const source: ValueSource = { kind: "file", detail: path };
    const entries = Object.entries(sectionOf(data, section, request.section, path));
    applyLayer(entries.flatMap(([name, raw]) => offerFor(name, raw, source) ?? []), true);
  }

  const envOffers: Offer[] = [];
  for (const entry of readEnvConfig(env).filter((e) => e.section === section.toLowerCase())) {
    const source: ValueSource = { kind: "env", detail: entry.variable };
    if (entry.key === undefined) {
      warn(source, `jobqueue.${request.section}`, `expected ${envVariableName(request.section, "<key>")}, ignored`);
      continue;
    }
    const offer = offerFor(entry.key, entry.subPath.reduceRight<unknown>((value, name) => ({ [name]: value }), entry.value), source);
    if (offer && entry.subPath.length > 0 && offer.key.kind !== "map") {
      throw new ConfigError(`${offer.key.name} is not a mapping, so it has no nested keys; use ${envVariableName(request.section, offer.key.name)}`, {
        source: sourceLabel(source),
        keyPath: keyPath([entry.key, ...entry.subPath].join(".")),
      });
    }
    if (offer) envOffers.push(offer);
  }
  applyLayer(envOffers, true);

  applyLayer(
    Object.entries(request.options ?? {}).flatMap(([name, raw]): Offer[] => {
      if (raw === undefined) return [];
      const kebab = canonicalKeyName(name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase());
      const found = names.get(kebab);
      const source: ValueSource = { kind: "option", detail: name };
      if (!found) throw new ConfigError("unknown option", { source: sourceLabel(source), keyPath: keyPath(kebab) });
      return [{ ...found, written: kebab, raw, source }];
    }),
    false,
  );

  const twoPart = request.walltimeTwoPart ?? "hours:minutes";
  const values: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  for (const key of request.keys) {
    const slot = slots.get(key.name);
    if (!slot) continue;
    sources[key.name] = slot.source;
    if (slot.raw === null) continue;
    try {
      values[key.name] = parseConfigValue(key, slot.raw, twoPart);
    } catch (error) {
      throw new ConfigError((error as Error).message, { source: sourceLabel(slot.source), keyPath: keyPath(key.name) }, { cause: error });
    }
    if (key.kind === "walltime" && typeof slot.raw === "number" && (slot.source.kind === "file" || slot.source.kind === "env")) {
      warn(
        slot.source,
        keyPath(key.name),
        `the bare number ${slot.raw} is read as seconds (${formatWalltime(slot.raw)}); ` +
          `write a duration such as '01:00:00' or '60m' to be unambiguous`,
      );
    }
  }
  return { section: request.section, keys: request.keys, values, sources, warnings, files: documents.map((d) => d.path) };
}

/**
 * How a source is named in errors and warnings: the file path, `env DASK_JOBQUEUE__SLURM__CORES`,
 * `option cores`, `default` or `backend default`.
 */
export function sourceLabel(source: ValueSource): string {
  switch (source.kind) {
    case "file":
      return source.detail ?? "file";
    case "env":
    case "option":
      return source.detail === undefined ? source.kind : `${source.kind} ${source.detail}`;
    case "default":
      return "default";
    case "backend-default":
      return "backend default";
  }
}

/** Canonical name and alias → key. */
function nameIndex(keys: readonly ConfigKey[]): Map<string, { key: ConfigKey; viaAlias: boolean }> {
  const index = new Map<string, { key: ConfigKey; viaAlias: boolean }>();
  for (const key of keys) {
    for (const alias of key.aliases ?? []) index.set(canonicalKeyName(alias), { key, viaAlias: true });
  }
  for (const key of keys) index.set(canonicalKeyName(key.name), { key, viaAlias: false });
  return index;
}

/**
 * The `jobqueue.<section>` mapping of one file (empty when absent or `null`), with `_`/`-` spellings of the
 * section name merged.
 *
 * @throws ConfigError when `jobqueue` or the section is present but not a mapping.
 */
function sectionOf(data: Record<string, unknown> | null, section: string, shownSection: string, path: string): Record<string, unknown> {
  const jobqueue = child(data ?? {}, "jobqueue");
  if (jobqueue === null || jobqueue === undefined) return {};
  if (!isMapping(jobqueue)) throw new ConfigError("expected a mapping of sections, e.g. slurm:", { source: path, keyPath: "jobqueue" });
  const found = child(jobqueue, section);
  if (found === null || found === undefined) return {};
  if (!isMapping(found)) {
    throw new ConfigError("expected a mapping of keys, e.g. cores: 4", { source: path, keyPath: `jobqueue.${shownSection}` });
  }
  return found;
}

/** The value of `name` in `mapping`, merging every spelling of it (`a_b`, `a-b`) in order, as dask does. */
function child(mapping: Record<string, unknown>, name: string): unknown {
  const spellings = Object.entries(mapping).filter(([key]) => canonicalKeyName(key) === name);
  return spellings.reduce<unknown>(
    (merged, [, value]) => (isMapping(merged) && isMapping(value) ? mergeMappings(merged, value) : value),
    undefined,
  );
}
