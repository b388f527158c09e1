import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One relative import between two source files (paths relative to the source root, `.ts`). */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** Every `import ... from "./x.js"` / `export ... from "./x.js"` between the `.ts` files under `root`. */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    for (const match of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)) {
      const target = relative(root, resolve(root, dirname(file), match[1] as string)).replace(/\.js$/, ".ts");
      edges.push({ from: file, to: target });
    }
  }
  return edges;
}

/** The import circles among the files: each as the files on it, smallest first, each circle once. */
export function importCircles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const circles = new Map<string, string[]>();
  const visit = (file: string, path: string[]): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      const circle = path.slice(at);
      const start = circle.indexOf([...circle].sort()[0] as string);
      const rotated = [...circle.slice(start), ...circle.slice(0, start)];
      circles.set(rotated.join(" > "), rotated);
      return;
    }
    if (done.has(file)) return;
    for (const to of next.get(file) ?? []) visit(to, [...path, file]);
    done.add(file);
  };
  const done = new Set<string>();
  for (const file of next.keys()) visit(file, []);
  return [...circles.values()].sort((a, b) => a.length - b.length);
}

/** The layer of a file: the index of its folder (or root file) in `layers`, lowest first. */
export function layerOf(file: string, layers: readonly (readonly string[])[]): number {
  const folder = file.includes("/") ? (file.split("/")[0] as string) : file;
  const index = layers.findIndex((layer) => layer.includes(folder));
  if (index < 0) throw new Error(`${file}: its folder ${folder} is in no layer; add it to the layers`);
  return index;
}

/** Imports from a lower layer to a higher one, as `from -> to`. */
export function upwardImports(edges: readonly ImportEdge[], layers: readonly (readonly string[])[]): string[] {
  return edges.filter((e) => layerOf(e.from, layers) < layerOf(e.to, layers)).map((e) => `${e.from} -> ${e.to}`);
}

function sourceFiles(root: string, under = ""): string[] {
  return readdirSync(join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return sourceFiles(root, path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}
