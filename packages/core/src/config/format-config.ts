import { Document, Scalar, visit } from "yaml";
import type { ConfigKey } from "./config-key.js";
import { sourceLabel, type ResolvedConfig, type ValueSource } from "./load-config.js";
import { formatBytes, formatWalltime } from "./units.js";

/** What `daskq config` shows for the value of a `secret` key. */
const HIDDEN = "(set, hidden)";

/**
 * The text of `daskq config`: the section and files read, then one row per key with its display value and its
 * source, then the warnings. Sizes show as `16.00 GiB (17179869184 bytes)`, walltimes as `HH:MM:SS`, lists and
 * mappings as YAML flow (`[--exclusive]`). A key without a value shows `(not set)`, or `(unset)` with the source
 * whose `null` unset it. A `secret` key (a token) shows `(set, hidden)`.
 */
export function formatConfig(config: ResolvedConfig): string {
  const rows = config.keys.map((key): [string, string, string] => {
    const source = config.sources[key.name];
    const value = config.values[key.name];
    const shown = value !== undefined ? displayValue(key, value) : source ? "(unset)" : "(not set)";
    return [key.name, shown, source ? displaySource(source) : ""];
  });
  const table = [["KEY", "VALUE", "SOURCE"] as const, ...rows];
  const widths = [0, 1].map((column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const lines = [
    `jobqueue.${config.section}`,
    `files: ${config.files.length > 0 ? config.files.join(", ") : "none"}`,
    "",
    ...table.map(([key, value, source]) =>
      `${key.padEnd(widths[0] ?? 0)}  ${value.padEnd(widths[1] ?? 0)}  ${source}`.trimEnd(),
    ),
  ];
  if (config.warnings.length > 0) lines.push("", "warnings:", ...config.warnings.map((warning) => `  ${warning}`));
  return `${lines.join("\n")}\n`;
}

/** The `--json` form of a resolved configuration (see `configToJson`). */
export interface ConfigJson {
  readonly section: string;
  readonly files: readonly string[];
  /** Every key, in order: its parsed value (`null` when it has none) and where it came from. */
  readonly keys: Readonly<Record<string, { readonly value: unknown; readonly source?: ValueSource }>>;
  readonly warnings: readonly string[];
}

/**
 * The data of `daskq config --json`, ready for `JSON.stringify`: parsed values (bytes and seconds as numbers),
 * `value: null` for keys without a value, `(set, hidden)` for a `secret` key's, and each key's source.
 */
export function configToJson(config: ResolvedConfig): ConfigJson {
  const keys = Object.fromEntries(
    config.keys.map((key) => [key.name, { value: key.secret && config.values[key.name] !== undefined ? HIDDEN : (config.values[key.name] ?? null), source: config.sources[key.name] }]),
  );
  return { section: config.section, files: config.files, keys, warnings: config.warnings };
}

function displaySource(source: ValueSource): string {
  return source.kind === "file" ? `file ${sourceLabel(source)}` : sourceLabel(source);
}

function displayValue(key: ConfigKey, value: unknown): string {
  if (key.secret) return HIDDEN;
  if (key.kind === "bytes" && typeof value === "number") return `${formatBytes(value)} (${value} bytes)`;
  if (key.kind === "walltime" && typeof value === "number") return formatWalltime(value);
  if (typeof value === "string") return value === "" || /[\0-\x1f]|^\s|\s$/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === "object" && value !== null) return yamlFlow(value);
  return String(value);
}

/** One-line YAML flow text of a list or mapping; strings with line breaks or tabs are double-quoted. */
function yamlFlow(value: object): string {
  const document = new Document(value);
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === "string" && /[\0-\x1f]/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return document.toString({ collectionStyle: "flow", lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}
