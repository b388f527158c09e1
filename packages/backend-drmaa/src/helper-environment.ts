import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The glibc tunable Grid Engine's libdrmaa needs to load at all: it links libjemalloc, whose
 * initial-exec TLS does not fit in the static TLS that glibc reserves for libraries loaded later
 * ("cannot allocate memory in static TLS block"). glibc reads tunables when the process STARTS, so
 * it cannot be set from inside daskq: the helper process is started with it.
 */
export const STATIC_TLS_TUNABLE = "glibc.rtld.optional_static_tls=4096";

/** Where Debian and Ubuntu's gridengine packages record SGE_ROOT. */
export const DEBIAN_GRIDENGINE_DEFAULTS = "/etc/default/gridengine";

/** `GLIBC_TUNABLES` with the static TLS tunable added (kept when one is already set). */
export function withStaticTls(current: string | undefined): string {
  if (!current) return STATIC_TLS_TUNABLE;
  if (current.split(":").some((t) => t.startsWith("glibc.rtld.optional_static_tls="))) return current;
  return `${current}:${STATIC_TLS_TUNABLE}`;
}

/** The `SGE_ROOT=` value of a shell defaults file such as /etc/default/gridengine. */
export function sgeRootFromDefaults(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = /^\s*(?:export\s+)?SGE_ROOT=(["']?)([^"'\s]+)\1\s*$/.exec(line);
    if (m) return m[2];
  }
  return undefined;
}

/**
 * SGE_ROOT for a Grid Engine DRMAA library when the environment has none: the one the distribution
 * packages recorded (`/etc/default/gridengine`), else the Grid Engine tree the library sits in
 * (`$SGE_ROOT/lib/<arch>/libdrmaa.so`, when `$SGE_ROOT/<cell>/common` exists). Undefined for other
 * DRMAA libraries (they do not need it).
 */
export function findSgeRoot(libraryPath: string, cell = "default", defaultsFile = DEBIAN_GRIDENGINE_DEFAULTS): string | undefined {
  if (existsSync(defaultsFile)) {
    const root = sgeRootFromDefaults(readFileSync(defaultsFile, "utf8"));
    if (root && existsSync(join(root, cell, "common"))) return root;
  }
  const candidate = dirname(dirname(dirname(libraryPath)));
  return existsSync(join(candidate, cell, "common")) ? candidate : undefined;
}

/**
 * The environment of the DRMAA helper process: daskq's own, plus the static TLS tunable and, when
 * missing and findable, SGE_ROOT. The user sets neither.
 */
export function helperEnvironment(libraryPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, GLIBC_TUNABLES: withStaticTls(base["GLIBC_TUNABLES"]) };
  if (!base["SGE_ROOT"]) {
    const root = findSgeRoot(libraryPath, base["SGE_CELL"] || "default");
    if (root) env["SGE_ROOT"] = root;
  }
  return env;
}
