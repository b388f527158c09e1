import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCircles, importEdges, layerOf, upwardImports } from "./import-graph.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

/**
 * Core's layers, lowest first, as packages/core/README.md defines them: a file imports from its own
 * layer or lower ones. Folders are named; a file at the top of src/ by its name.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["errors.ts", "logger.ts", "shell-quote.ts", "atomic-file.ts"],
  ["runner", "ssh", "scheduler", "http"],
  ["config", "job", "security"],
  ["backend", "registry"],
  ["ownership"],
  ["pool"],
  ["adaptive"],
  ["cluster"],
  ["index.ts"],
];

/** The imports from a lower layer back up that remain, each with its reason (also in the README). */
const ALLOWED_UPWARD: Readonly<Record<string, string>> = {
  "config/load-backend-config.ts -> backend/backend.ts": "a backend's section is loaded by the keys its BackendDescriptor declares (type only)",
  "config/pools-file.ts -> pool/pool-options.ts": "a pools file is read into PoolOptions and checked by checkPools",
  "job/job-script.ts -> backend/backend.ts": "the script's header is the backend's (Backend.script; type only)",
  "job/submit-request.ts -> backend/backend.ts": "it builds the backend's SubmitRequest (type only)",
};

describe("core's import graph", () => {
  const edges = importEdges(SRC);

  it("reads the imports (sanity: the cluster imports its pools)", () => {
    expect(edges).toContainEqual({ from: "cluster/job-queue-cluster.ts", to: "cluster/cluster-setup.ts" });
    expect(edges.length).toBeGreaterThan(300);
  });

  it("has no import circles", () => {
    expect(importCircles(edges)).toEqual([]);
  });

  it("puts every file in a layer", () => {
    for (const { from } of edges) expect(() => layerOf(from, LAYERS)).not.toThrow();
  });

  it("imports back up a layer only where the README says why", () => {
    const unexplained = [...new Set(upwardImports(edges, LAYERS))].filter((edge) => !(edge in ALLOWED_UPWARD));
    expect(unexplained).toEqual([]);
  });
});

describe("importCircles", () => {
  it("finds a circle of two and of three, each once", () => {
    const circles = importCircles([
      { from: "a.ts", to: "b.ts" },
      { from: "b.ts", to: "a.ts" },
      { from: "c.ts", to: "d.ts" },
      { from: "d.ts", to: "e.ts" },
      { from: "e.ts", to: "c.ts" },
      { from: "e.ts", to: "f.ts" },
    ]);
    expect(circles).toEqual([
      ["a.ts", "b.ts"],
      ["c.ts", "d.ts", "e.ts"],
    ]);
  });
});
