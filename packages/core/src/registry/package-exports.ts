/** The conditions daskq loads a package's entries under: it imports them as ES modules in Node. */
const CONDITIONS = new Set(["import", "node", "default"]);

/**
 * The file (relative to the package, e.g. `./dist/register.js`) that a package's `exports` map gives
 * for `subpath` (`.` or `./register`), as Node resolves an `import` of it: subpath keys and `./*`
 * patterns, nested conditions in their written order (`import`, `node`, `default` apply), fallback
 * arrays. Undefined when the map does not export the subpath.
 */
export function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (!isMap(exports) || !Object.keys(exports).every((key) => key.startsWith("."))) {
    // A string, an array or a map of conditions: the package's main entry only.
    return subpath === "." ? conditionalTarget(exports, "") : undefined;
  }
  if (subpath in exports) return conditionalTarget(exports[subpath], "");
  for (const [key, value] of Object.entries(exports)) {
    const star = key.indexOf("*");
    if (star < 0 || key.indexOf("*", star + 1) >= 0) continue;
    const [before, after] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.length >= key.length - 1 && subpath.startsWith(before) && subpath.endsWith(after)) {
      return conditionalTarget(value, subpath.slice(before.length, subpath.length - after.length));
    }
  }
  return undefined;
}

/** The target of one exports value: a path (with `*` replaced by `match`), a conditions map, or a fallback list. */
function conditionalTarget(value: unknown, match: string): string | undefined {
  if (typeof value === "string") return value.replaceAll("*", match);
  if (Array.isArray(value)) {
    for (const candidate of value) {
      const target = conditionalTarget(candidate, match);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (!isMap(value)) return undefined;
  for (const [condition, nested] of Object.entries(value)) {
    if (CONDITIONS.has(condition)) return conditionalTarget(nested, match);
  }
  return undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
