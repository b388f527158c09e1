import { canonicalKeyName } from "./config-key.js";
import { isMapping } from "./parse-value.js";

/**
 * Merges `override` into a copy of `base` the way dask merges config layers: nested mappings are merged key by
 * key, anything else (scalars, lists, `null`) replaces. A key matches an existing key spelled with `_` instead of
 * `-` or the other way round, and then keeps the existing spelling (dask's `canonical_name`).
 */
export function mergeMappings(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(override)) {
    const existing = Object.hasOwn(merged, name)
      ? name
      : (Object.keys(merged).find((key) => canonicalKeyName(key) === canonicalKeyName(name)) ?? name);
    const previous = merged[existing];
    merged[existing] = isMapping(value) ? mergeMappings(isMapping(previous) ? previous : {}, value) : value;
  }
  return merged;
}
