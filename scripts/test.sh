#!/bin/bash
# The test command: installs and starts everything the tests need (npm deps, build, Debian's Dask,
# a real Slurm, ...), type-checks, then runs every test for real. Under CI=true a missing service
# fails the run instead of skipping tests.
#
# Tests run in two steps: first every test that shares the services with others (project `shared`),
# then, alone, the tests that disturb a shared service for everyone (project `exclusive`, files named
# `*.exclusive.test.ts`, e.g. slurmctld stopped for 30 s); between them the Python package's pytest
# tests (packages/cli/python/tests). Arguments (file filters, -t ...) go to
# both steps; a step whose files the filters exclude passes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash packages/testing/testbed/up.sh
npx turbo run typecheck --output-logs=errors-only
filtered=()
[ "$#" -gt 0 ] && filtered=(--passWithNoTests)
npx vitest run --project shared "${filtered[@]}" "$@"
# The Python package's tests (Debian's python3-pytest, real services and emulators), with no filter
# or with the filter python.
if [ "$#" -eq 0 ] || [ "$*" = python ]; then
  /usr/bin/python3 -m pytest -q -p no:cacheprovider packages/cli/python/tests
fi
npx vitest run --project exclusive "${filtered[@]}" "$@"
