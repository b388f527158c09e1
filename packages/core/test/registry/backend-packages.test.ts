import "reflect-metadata";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { container as globalContainer } from "tsyringe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBackendPackages, listBackends, loadBackends } from "../../src/index.js";

const root = fileURLToPath(new URL("../../../..", import.meta.url));
/** A backend module: `register(container)` puts a descriptor called `name` there. */
const registerModule = (name: string) =>
  `export function register(c) { c.register(Symbol.for("daskq.Backend"), { useValue: { name: ${JSON.stringify(name)}, description: "d", configKeys: [], create() { throw new Error("no"); } } }); }\n`;
/** A side-effect module: registers `name` in tsyringe's global container when imported. */
const sideEffectModule = (name: string) => `import { container } from "tsyringe";\n${registerModule(name)}register(container);\n`;

/** Writes a package: its package.json and files, under `<modules>/<name>`. */
async function writePackage(modules: string, name: string, manifest: object, files: Record<string, string>): Promise<void> {
  const dir = join(modules, name);
  for (const [file, text] of Object.entries({ "package.json": JSON.stringify({ name, version: "1.0.0", type: "module", ...manifest }), ...files })) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
}

describe("loading installed backend packages", () => {
  let dir: string;
  let modules: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "daskq-backend-packages-"));
    modules = join(dir, "node_modules");
    await mkdir(modules);
    // The peer dependency, as the site's install provides it (the same copy as this test's).
    await symlink(join(root, "node_modules", "tsyringe"), join(modules, "tsyringe"));
    // `exports` with conditions and no `main`: only the map says where the code is.
    await writePackage(modules, "daskq-backend-exported", { exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./package.json": "./package.json" } }, {
      "dist/index.js": registerModule("exported"),
    });
    // A `/register` entry declared only in `exports` (no main entry at all), pointing outside `register.js`.
    await writePackage(modules, "@site/daskq-backend-mapped", { exports: { "./register": { import: "./lib/side-effect.js" } } }, {
      "lib/side-effect.js": sideEffectModule("mapped"),
    });
    // Subpath patterns: `./*` covers `/register`.
    await writePackage(modules, "daskq-backend-patterned", { exports: { "./*": "./out/*.js" } }, { "out/register.js": sideEffectModule("patterned") });
    // The classic shape still loads: `main`, and a `register.js` beside it.
    await writePackage(modules, "daskq-backend-classic", { main: "main.js" }, { "main.js": "export const nothing = 1;\n", "register.js": sideEffectModule("classic") });
    // A package whose map hides the file a directory lookup would find: it is not a backend.
    await writePackage(modules, "daskq-backend-hidden", { exports: { "./client": "./client.js" } }, { "client.js": "", "register.js": sideEffectModule("hidden") });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("honours each package's exports map, for its main entry and its /register entry", async () => {
    const found = findBackendPackages([dir]).filter((p) => p.dir.startsWith(dir));
    expect(found.map((p) => p.name).sort()).toEqual(["@site/daskq-backend-mapped", "daskq-backend-classic", "daskq-backend-exported", "daskq-backend-hidden", "daskq-backend-patterned"]);
    const container = globalContainer.createChildContainer();
    const warnings: string[] = [];
    await loadBackends(container, found, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(listBackends(container).map((b) => b.name)).toEqual(["exported"]);
    // Side-effect entries register in tsyringe's global container (the child sees them too).
    const global = listBackends(globalContainer).map((b) => b.name);
    expect(global).toEqual(expect.arrayContaining(["mapped", "patterned", "classic"]));
    expect(global).not.toContain("hidden");
  });
});
