import type { ConfigKey, ConfigKind } from "./config-key.js";
import { parseBytes, parseWalltime, type WalltimeBareUnit, type WalltimeTwoPart } from "./units.js";

/** What each kind accepts, with an example, for error messages. */
export const KIND_EXPECTED: Readonly<Record<ConfigKind, string>> = {
  string: "expected a string, e.g. normal",
  integer: "expected a whole number >= 0, e.g. 4",
  number: "expected a number >= 0, e.g. 60",
  boolean: "expected true or false",
  bytes: "expected a size, e.g. 16GB, 16GiB or 17179869184",
  walltime: "expected a duration, e.g. 01:30:00, 1-00:00:00, 90m or 1h30m",
  "string-list": "expected a list of strings, e.g. [--exclusive, --gres=gpu:1] (in env: ['--exclusive'])",
  map: "expected a mapping, e.g. {OMP_NUM_THREADS: 1} (in env: {'OMP_NUM_THREADS': 1})",
};

const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["yes", true],
  ["on", true],
  ["false", false],
  ["no", false],
  ["off", false],
]);

/**
 * Validates a raw value (from YAML, env, an option or a default; never null) and converts it by its key's kind:
 * - `string`: a string; numbers and booleans are accepted as their text (`queue: 123` → `"123"`);
 * - `integer`: a whole number >= 0 (also as text); `number`: a number >= 0 (also as text);
 * - `boolean`: a boolean, or `true/false/yes/no/on/off` in any case (YAML 1.1 spellings that PyYAML reads);
 * - `bytes`: see `parseBytes`; `walltime`: see `parseWalltime`, with the batch system's `twoPart` reading;
 * - `string-list`: a list of scalars (as text), or a single scalar as a one-element list;
 * - `map`: a mapping (returned as a deep copy).
 *
 * @throws Error whose message names the bad value and the expected form with an example.
 */
export function parseConfigValue(key: ConfigKey, raw: unknown, twoPart: WalltimeTwoPart, bareUnit: WalltimeBareUnit = "minutes"): unknown {
  const invalid = (why = ""): never => {
    throw new Error(`invalid value ${describeValue(raw)}: ${why}${KIND_EXPECTED[key.kind]}`);
  };
  switch (key.kind) {
    case "string":
      return isScalar(raw) ? String(raw) : invalid();
    case "integer": {
      const n = typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
      return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : invalid();
    }
    case "number": {
      const n = typeof raw === "string" && /^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : raw;
      return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : invalid();
    }
    case "boolean": {
      const b = typeof raw === "string" ? BOOLEAN_WORDS.get(raw.trim().toLowerCase()) : raw;
      return typeof b === "boolean" ? b : invalid();
    }
    case "bytes":
      // parseBytes's own message already lists the accepted forms.
      return typeof raw === "string" || typeof raw === "number" ? parseBytes(raw) : invalid();
    case "walltime":
      return typeof raw === "string" || typeof raw === "number" ? parseWalltime(raw, twoPart, bareUnit) : invalid();
    case "string-list": {
      const items = Array.isArray(raw) ? raw : [raw];
      const bad = items.findIndex((item) => !isScalar(item));
      return bad === -1 ? items.map(String) : invalid(`item ${bad + 1} is not a string; `);
    }
    case "map":
      // A copy, so that changing a resolved mapping cannot change a key default or a caller's object.
      return isMapping(raw) ? structuredClone(raw) : invalid();
  }
}

/** A string, number or boolean: what a string-valued key accepts. */
function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** A plain object such as a parsed YAML mapping (not an array, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as config errors quote it: JSON, at most 80 characters. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
