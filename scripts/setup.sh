#!/bin/bash
# Installs what daskq needs on this machine: Node dependencies, the build, and Debian's
# python3-distributed when it is missing. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packages/testing/testbed/dask.sh >/dev/null
# npm install, not npm ci: the lock file written here leaves out other platforms' optional
# packages (turbo's darwin/windows binaries), which npm ci rejects as "out of sync".
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-fund --no-audit
fi
npx turbo run build --output-logs=errors-only
