import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** A file the page loads besides itself, served from the installed npm package (never a CDN). */
export interface StaticAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const require = createRequire(import.meta.url);

const SOURCES: Readonly<Record<string, { readonly module: string; readonly contentType: string }>> = {
  "uPlot.iife.min.js": { module: "uplot/dist/uPlot.iife.min.js", contentType: "text/javascript; charset=utf-8" },
  "uPlot.min.css": { module: "uplot/dist/uPlot.min.css", contentType: "text/css; charset=utf-8" },
};

const loaded = new Map<string, StaticAsset>();

/** The asset of that name (`uPlot.iife.min.js`, `uPlot.min.css`), read once; undefined for any other name. */
export function staticAsset(name: string): StaticAsset | undefined {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  let asset = loaded.get(name);
  if (!asset) {
    asset = { contentType: source.contentType, body: readFileSync(require.resolve(source.module)) };
    loaded.set(name, asset);
  }
  return asset;
}
