import { homedir } from "node:os";
import { ConfigError } from "../errors.js";
import { canonicalKeyName, configKeyPath, type ConfigKey } from "./config-key.js";
import { checkValue } from "./config-schema.js";
import { readConfigFiles, type ConfigDocument } from "./config-files.js";
import { mergeMappings } from "./deep-merge.js";
import { envVariableName, readEnvConfig } from "./env-config.js";
import { isMapping, parseConfigValue } from "./parse-value.js";
import type { WalltimeBareUnit, WalltimeTwoPart } from "./units.js";

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
  /**
   * Every key of the section: `SHARED_KEYS` plus the backend's `configKeys`. A name declared twice takes the later
   * declaration at the earlier position, so a backend can redeclare a shared key (e.g. `account` without the
   * `project` alias, for a batch system where `project` is a key of its own).
   */
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
  /** Config files read after the usual ones, highest priority last (a pools file). */
  readonly extraFiles?: readonly string[];
  /** How the batch system reads a two-part walltime `A:B`; default `hours:minutes`. */
  readonly walltimeTwoPart?: WalltimeTwoPart;
  /** How the batch system reads a bare number walltime; default `minutes` (Slurm, LSF). */
  readonly walltimeBareUnit?: WalltimeBareUnit;
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
 * - Only the winning value of each key is validated: parsed by its kind, then checked by its `schema`.
 *
 * @throws ConfigError naming the source (file path, `env DASK_...`, `option <name>`), the key path
 *   (`jobqueue.slurm.memory`) and the expected form, for a bad value, an unknown option, or a malformed file.
 */
export function loadConfig(request: LoadConfigRequest): ResolvedConfig {
  const env = request.env ?? process.env;
  const layers = new Layers(request.section, request.keys);
  layers.apply(layers.backendDefaults(request.defaults ?? {}), false);
  const documents = readConfigFiles({ env, homeDir: request.homeDir ?? homedir() }, request.extraFiles);
  for (const document of documents) layers.apply(layers.fromFile(document), true);
  layers.apply(layers.fromEnv(env), true);
  layers.apply(layers.fromOptions(request.options ?? {}), false);
  return { ...layers.resolve(request.walltimeTwoPart ?? "hours:minutes", request.walltimeBareUnit ?? "minutes"), files: documents.map((d) => d.path) };
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

/** The layers of one section, applied in priority order onto one raw value per key, then parsed. */
class Layers {
  private readonly keys: readonly ConfigKey[];
  private readonly names: Map<string, { key: ConfigKey; viaAlias: boolean }>;
  private readonly slots = new Map<string, Slot>();
  private readonly warnings: string[] = [];
  /** The section name as files spell it after canonicalization (`my_cluster` → `my-cluster`). */
  private readonly canonicalSection: string;

  constructor(
    private readonly section: string,
    declared: readonly ConfigKey[],
  ) {
    this.keys = [...new Map(declared.map((key) => [key.name, key])).values()];
    this.names = nameIndex(this.keys);
    this.canonicalSection = canonicalKeyName(section);
    for (const key of this.keys) {
      if (key.default !== undefined) this.slots.set(key.name, { raw: key.default, source: { kind: "default" } });
    }
  }

  /** Offers of the backend's defaults; an unknown name is a bug in the backend, so an error. */
  backendDefaults(defaults: Readonly<Record<string, unknown>>): Offer[] {
    const source: ValueSource = { kind: "backend-default" };
    return Object.entries(defaults).flatMap(([name, raw]) => {
      const offer = this.offer(name, raw, source);
      if (!offer) {
        throw new ConfigError("unknown key in the backend's defaults", { source: "backend default", keyPath: this.keyPath(name) });
      }
      return raw === undefined ? [] : [offer];
    });
  }

  /** Offers of `jobqueue.<section>` in one file; unknown keys are warnings. */
  fromFile({ path, data }: ConfigDocument): Offer[] {
    const source: ValueSource = { kind: "file", detail: path };
    return Object.entries(this.sectionOf(data, path)).flatMap(([name, raw]) =>
      this.known(this.offer(name, raw, source), name, source),
    );
  }

  /** Offers of the `DASK_JOBQUEUE__<SECTION>__...` variables; unknown keys are warnings. */
  fromEnv(env: NodeJS.ProcessEnv): Offer[] {
    return readEnvConfig(env)
      .filter((entry) => entry.section === this.canonicalSection.toLowerCase())
      .flatMap((entry) => {
        const source: ValueSource = { kind: "env", detail: entry.variable };
        if (entry.key === undefined) {
          this.warn(source, `jobqueue.${this.section}`, `expected ${envVariableName(this.section, "<key>")}, ignored`);
          return [];
        }
        const raw = entry.subPath.reduceRight<unknown>((value, name) => ({ [name]: value }), entry.value);
        const offer = this.known(this.offer(entry.key, raw, source), entry.key, source);
        if (entry.subPath.length > 0 && offer[0] && offer[0].key.kind !== "map") {
          throw new ConfigError(
            `${entry.key} is not a mapping, so it has no nested keys; use ${envVariableName(this.section, entry.key)}`,
            { source: sourceLabel(source), keyPath: this.keyPath([entry.key, ...entry.subPath].join(".")) },
          );
        }
        return offer;
      });
  }

  /** Offers of the options given (`undefined` = not given); names may be camelCase; unknown names are errors. */
  fromOptions(options: Readonly<Record<string, unknown>>): Offer[] {
    return Object.entries(options).flatMap(([name, raw]) => {
      if (raw === undefined) return [];
      const kebab = canonicalKeyName(name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase());
      const source: ValueSource = { kind: "option", detail: name };
      const offer = this.offer(kebab, raw, source);
      if (!offer) throw new ConfigError("unknown option", { source: sourceLabel(source), keyPath: this.keyPath(kebab) });
      return [offer];
    });
  }

  /**
   * Applies one layer: each offer replaces the key's value, or with `merge` deep-merges a mapping into a mapping.
   * Deprecated names are handled here (see `loadConfig`).
   */
  apply(offers: readonly Offer[], merge: boolean): void {
    const direct = new Set(offers.filter((offer) => !offer.viaAlias).map((offer) => offer.key.name));
    for (const offer of offers) {
      if (offer.viaAlias) {
        if (offer.raw === null || offer.raw === "" || (Array.isArray(offer.raw) && offer.raw.length === 0)) continue;
        const shadowed = direct.has(offer.key.name);
        const ignored = shadowed ? `; ignored because ${offer.key.name} is also set` : "";
        this.warn(offer.source, this.keyPath(offer.written), `deprecated name, use ${offer.key.name}${ignored}`);
        if (shadowed) continue;
      }
      const previous = this.slots.get(offer.key.name)?.raw;
      const raw = merge && isMapping(previous) && isMapping(offer.raw) ? mergeMappings(previous, offer.raw) : offer.raw;
      this.slots.set(offer.key.name, { raw, source: offer.source });
    }
  }

  /** Parses each key's winning value by its kind. */
  resolve(twoPart: WalltimeTwoPart, bareUnit: WalltimeBareUnit): Omit<ResolvedConfig, "files"> {
    const values: Record<string, unknown> = {};
    const sources: Record<string, ValueSource> = {};
    for (const key of this.keys) {
      const slot = this.slots.get(key.name);
      if (!slot) continue;
      sources[key.name] = slot.source;
      if (slot.raw === null) continue;
      let parsed: unknown;
      try {
        parsed = parseConfigValue(key, slot.raw, twoPart, bareUnit);
      } catch (error) {
        const details = { source: sourceLabel(slot.source), keyPath: this.keyPath(key.name) };
        throw new ConfigError((error as Error).message, details, { cause: error });
      }
      // The key's own checks (e.g. at least 1); the parsed value, not their typed form, is kept.
      checkValue(key, parsed, this.section, sourceLabel(slot.source));
      values[key.name] = parsed;
    }
    return { section: this.section, keys: this.keys, values, sources, warnings: this.warnings };
  }

  /** The offer of `raw` for the key or alias `written`, or undefined for an unknown name. */
  private offer(written: string, raw: unknown, source: ValueSource): Offer | undefined {
    const found = this.names.get(canonicalKeyName(written));
    return found && { ...found, written, raw, source };
  }

  /** `offer` as a list, or an empty list with an "unknown key" warning. */
  private known(offer: Offer | undefined, written: string, source: ValueSource): Offer[] {
    if (offer) return [offer];
    this.warn(source, this.keyPath(written), "unknown key, ignored");
    return [];
  }

  private keyPath(name: string): string {
    return configKeyPath(this.section, name);
  }

  private warn(source: ValueSource, path: string, message: string): void {
    this.warnings.push(`${sourceLabel(source)}: ${path}: ${message}`);
  }

  /**
   * The `jobqueue.<section>` mapping of one file (empty when absent or `null`), with `_`/`-` spellings of the
   * section name merged.
   *
   * @throws ConfigError when `jobqueue` or the section is present but not a mapping.
   */
  private sectionOf(data: Record<string, unknown> | null, path: string): Record<string, unknown> {
    const jobqueue = child(data ?? {}, "jobqueue");
    if (jobqueue === null || jobqueue === undefined) return {};
    if (!isMapping(jobqueue)) {
      throw new ConfigError("expected a mapping of sections, e.g. slurm:", { source: path, keyPath: "jobqueue" });
    }
    const found = child(jobqueue, this.canonicalSection);
    if (found === null || found === undefined) return {};
    if (!isMapping(found)) {
      const details = { source: path, keyPath: `jobqueue.${this.section}` };
      throw new ConfigError("expected a mapping of keys, e.g. cores: 4", details);
    }
    return found;
  }
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

/** Canonical name and alias → key. A key's own name beats another key's alias of the same spelling. */
function nameIndex(keys: readonly ConfigKey[]): Map<string, { key: ConfigKey; viaAlias: boolean }> {
  const index = new Map<string, { key: ConfigKey; viaAlias: boolean }>();
  for (const key of keys) {
    for (const alias of key.aliases ?? []) index.set(canonicalKeyName(alias), { key, viaAlias: true });
  }
  for (const key of keys) index.set(canonicalKeyName(key.name), { key, viaAlias: false });
  return index;
}

/** The value of `name` in `mapping`, merging every spelling of it (`a_b`, `a-b`) in order, as dask does. */
function child(mapping: Record<string, unknown>, name: string): unknown {
  const spellings = Object.entries(mapping).filter(([key]) => canonicalKeyName(key) === name);
  return spellings.reduce<unknown>(
    (merged, [, value]) => (isMapping(merged) && isMapping(value) ? mergeMappings(merged, value) : value),
    undefined,
  );
}
