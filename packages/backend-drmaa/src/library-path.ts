import { existsSync } from "node:fs";
import { DaskqError } from "@daskq/core";

/** The environment variable Python's `drmaa` package reads for the library, read here too. */
export const DRMAA_LIBRARY_ENV = "DRMAA_LIBRARY_PATH";

/** Where Debian and Ubuntu's `gridengine-drmaa1.0` package installs Grid Engine's libdrmaa. */
export const DEBIAN_SGE_LIBDRMAA = "/usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0";

/**
 * The DRMAA library to load: `jobqueue.drmaa.library`, else `$DRMAA_LIBRARY_PATH`, else Debian's
 * Grid Engine libdrmaa when it is installed.
 *
 * @throws DaskqError naming both settings when none is set and the Debian library is absent.
 */
export function resolveLibraryPath(configured: string | undefined, env: NodeJS.ProcessEnv = process.env, fallback = DEBIAN_SGE_LIBDRMAA): string {
  if (configured) return configured;
  const fromEnv = env[DRMAA_LIBRARY_ENV];
  if (fromEnv) return fromEnv;
  if (existsSync(fallback)) return fallback;
  throw new DaskqError(
    "drmaa",
    `no DRMAA library: set jobqueue.drmaa.library (or ${DRMAA_LIBRARY_ENV}) to the path of your batch system's libdrmaa, e.g. ${DEBIAN_SGE_LIBDRMAA} from Debian's gridengine-drmaa1.0`,
  );
}
