import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSgeRoot, helperEnvironment, sgeRootFromDefaults, STATIC_TLS_TUNABLE, withStaticTls } from "../src/helper-environment.js";
import { resolveLibraryPath } from "../src/library-path.js";

describe("the DRMAA helper's environment", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "daskq-drmaa-env-"));
    await mkdir(join(root, "sge", "default", "common"), { recursive: true });
    await mkdir(join(root, "sge", "lib", "lx-amd64"), { recursive: true });
    await writeFile(join(root, "defaults"), "# comment\nSGE_ROOT=/elsewhere\n");
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("adds the static TLS tunable, keeping other tunables and an explicit size", () => {
    expect(withStaticTls(undefined)).toBe(STATIC_TLS_TUNABLE);
    expect(withStaticTls("glibc.malloc.check=3")).toBe(`glibc.malloc.check=3:${STATIC_TLS_TUNABLE}`);
    expect(withStaticTls("glibc.rtld.optional_static_tls=8192")).toBe("glibc.rtld.optional_static_tls=8192");
  });

  it("finds SGE_ROOT from /etc/default/gridengine or the tree the library sits in", () => {
    expect(sgeRootFromDefaults('# SGE_ROOT will default\nSGE_ROOT="/var/lib/gridengine"\n')).toBe("/var/lib/gridengine");
    expect(sgeRootFromDefaults("SGE_CELL=default\n")).toBeUndefined();
    const library = join(root, "sge", "lib", "lx-amd64", "libdrmaa.so");
    // The defaults file names a root without a cell: the library's own tree wins.
    expect(findSgeRoot(library, "default", join(root, "defaults"))).toBe(join(root, "sge"));
    expect(findSgeRoot("/usr/lib/libdrmaa.so.1", "default", join(root, "none"))).toBeUndefined();
  });

  it("keeps the user's SGE_ROOT and everything else", () => {
    const env = helperEnvironment("/x/libdrmaa.so", { SGE_ROOT: "/mine", PATH: "/bin" });
    expect(env).toEqual({ SGE_ROOT: "/mine", PATH: "/bin", GLIBC_TUNABLES: STATIC_TLS_TUNABLE });
  });

  it("takes the library from config, then DRMAA_LIBRARY_PATH, then Debian's libdrmaa, else says what to set", () => {
    expect(resolveLibraryPath("/a.so", { DRMAA_LIBRARY_PATH: "/b.so" })).toBe("/a.so");
    expect(resolveLibraryPath(undefined, { DRMAA_LIBRARY_PATH: "/b.so" })).toBe("/b.so");
    expect(resolveLibraryPath(undefined, {}, join(root, "defaults"))).toBe(join(root, "defaults"));
    expect(() => resolveLibraryPath(undefined, {}, join(root, "none"))).toThrow(
      /^\[daskq:drmaa\] no DRMAA library: set jobqueue\.drmaa\.library \(or DRMAA_LIBRARY_PATH\)/,
    );
  });
});
