#!/bin/bash
# The test command: installs and starts everything the tests need (npm deps, build, Debian's Dask,
# a real Slurm, ...), type-checks, then runs every test for real. Under CI=true a missing service
# fails the run instead of skipping tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash packages/testing/testbed/up.sh
npx turbo run typecheck --output-logs=errors-only
npx vitest run "$@"
