import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const packages = fileURLToPath(new URL("./packages", import.meta.url));
// examples/*: third-party packages as their authors would write them (e.g. docs/custom-backend.md).
const TESTS = ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"];
/**
 * Tests that disturb a shared service for everyone (e.g. stop slurmctld for 30 s) are named
 * `*.exclusive.test.ts`: they form their own project, which scripts/test.sh runs AFTER the others,
 * so no other test runs while the service is down.
 */
const EXCLUSIVE = "packages/*/test/**/*.exclusive.test.ts";

export default defineConfig({
  resolve: {
    // Tests import workspace packages from their TypeScript sources, so no build is needed for them.
    alias: [
      { find: /^@daskq\/([^/]+)$/, replacement: `${packages}/$1/src/index.ts` },
      { find: /^@daskq\/([^/]+)\/(.+)$/, replacement: `${packages}/$1/src/$2.ts` },
    ],
  },
  test: {
    // Integration tests start real schedulers, workers and batch jobs on a 2-core machine:
    // run files one at a time so they do not starve each other.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "shared", include: TESTS, exclude: [EXCLUSIVE] } },
      { extends: true, test: { name: "exclusive", include: [EXCLUSIVE] } },
    ],
  },
});
