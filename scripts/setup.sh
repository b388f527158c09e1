#!/bin/bash
# Installs what daskq needs on this machine: Node dependencies, the build, and Debian's
# python3-distributed when it is missing. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packages/testing/testbed/dask.sh >/dev/null
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
fi
npx turbo run build --output-logs=errors-only
