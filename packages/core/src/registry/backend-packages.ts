import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { DependencyContainer } from "tsyringe";
import { exportTarget } from "./package-exports.js";

/** A backend package found on disk. */
export interface BackendPackage {
  readonly name: string;
  readonly dir: string;
}

/**
 * Finds installed backend packages: `@daskq/backend-*` and third-party `daskq-backend-*` (plain or
 * scoped, e.g. `@site/daskq-backend-foo`), in every node_modules folder from `from` up to the root
 * and beside the CLI itself. The first one found for a name wins.
 */
export function findBackendPackages(from: string[]): BackendPackage[] {
  const found = new Map<string, BackendPackage>();
  for (const start of from) {
    for (let dir = start; ; dir = dirname(dir)) {
      const modules = join(dir, "node_modules");
      if (existsSync(modules)) for (const pkg of scanNodeModules(modules)) if (!found.has(pkg.name)) found.set(pkg.name, pkg);
      if (dirname(dir) === dir) break;
    }
  }
  return [...found.values()];
}

function scanNodeModules(modules: string): BackendPackage[] {
  const out: BackendPackage[] = [];
  for (const entry of safeReaddir(modules)) {
    if (entry.startsWith("@")) {
      for (const inner of safeReaddir(join(modules, entry))) {
        const isOurs = entry === "@daskq" && inner.startsWith("backend-");
        if (isOurs || inner.startsWith("daskq-backend-")) out.push({ name: `${entry}/${inner}`, dir: join(modules, entry, inner) });
      }
    } else if (entry.startsWith("daskq-backend-")) {
      out.push({ name: entry, dir: join(modules, entry) });
    }
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Loads each package: its `register(container)` export when it has one, else its `/register`
 * side-effect entry; a package with neither is skipped. Entries are found as Node finds them for
 * an `import`: through the package's `exports` map when it has one (then `main` is not used), else
 * `main` (or `index.js`) and a `register.js` file. A package that fails to load is reported, not fatal.
 */
export async function loadBackends(container: DependencyContainer, packages: readonly BackendPackage[], warn: (m: string) => void): Promise<void> {
  for (const pkg of packages) {
    try {
      const manifest = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8")) as { main?: string; exports?: unknown };
      const main = entryFile(pkg.dir, manifest, ".");
      const mod = main ? ((await import(pathToFileURL(main).href)) as { register?: (c: DependencyContainer) => void }) : {};
      if (typeof mod.register === "function") {
        mod.register(container);
        continue;
      }
      // A package with neither is a building block (e.g. a client library), not a backend: skipped.
      const register = entryFile(pkg.dir, manifest, "./register");
      if (register) await import(pathToFileURL(register).href);
    } catch (error) {
      warn(`could not load backend package ${pkg.name}: ${(error as Error).message}`);
    }
  }
}

/**
 * The file of a package's entry `subpath` (`.` or `./register`): from its `exports` map when it has
 * one, else `main` / `index.js` for `.` and a `register.js` file for `./register`; undefined when
 * the package has no such entry.
 */
function entryFile(dir: string, manifest: { main?: string; exports?: unknown }, subpath: string): string | undefined {
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const target = exportTarget(manifest.exports, subpath);
    return target === undefined ? undefined : join(dir, target);
  }
  const require = createRequire(join(dir, "package.json"));
  if (subpath === ".") return manifest.main || existsSync(join(dir, "index.js")) ? require.resolve(dir) : undefined;
  return existsSync(join(dir, "register.js")) ? join(dir, "register.js") : undefined;
}
