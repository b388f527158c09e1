import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packages = fileURLToPath(new URL("./packages", import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import workspace packages from their TypeScript sources, so no build is needed for them.
    alias: [
      { find: /^@daskq\/([^/]+)$/, replacement: `${packages}/$1/src/index.ts` },
      { find: /^@daskq\/([^/]+)\/(.+)$/, replacement: `${packages}/$1/src/$2.ts` },
    ],
  },
  test: {
    // examples/*: third-party packages as their authors would write them (e.g. docs/custom-backend.md).
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    // Integration tests start real schedulers, workers and batch jobs on a 2-core machine:
    // run files one at a time so they do not starve each other.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
