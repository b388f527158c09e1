#!/bin/bash
# The test command: installs and starts everything the tests need (npm deps, build, Debian's Dask,
# a real Slurm, ...), type-checks, then runs every test for real. Under CI=true a missing service
# fails the run instead of skipping tests.
#
# Tests run in two steps: first every test that shares the services with others (project `shared`),
# then, alone, the tests that disturb a shared service for everyone (project `exclusive`, files named
# `*.exclusive.test.ts`, e.g. slurmctld stopped for 30 s). Arguments (file filters, -t ...) go to
# both steps; a step whose files the filters exclude passes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash packages/testing/testbed/up.sh
npx turbo run typecheck --output-logs=errors-only
filtered=()
[ "$#" -gt 0 ] && filtered=(--passWithNoTests)
# Each step also writes vitest's json report; at the end (passed or failed) a table of the test
# files by duration, slowest first (scripts/test-durations.mjs).
reports="$(mktemp -d)"
trap 'node scripts/test-durations.mjs "$reports/shared.json" "$reports/exclusive.json"; rm -rf "$reports"' EXIT
npx vitest run --project shared --reporter=default --reporter=json --outputFile.json="$reports/shared.json" "${filtered[@]}" "$@"
npx vitest run --project exclusive --reporter=default --reporter=json --outputFile.json="$reports/exclusive.json" "${filtered[@]}" "$@"
