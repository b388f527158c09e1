#!/bin/bash
# The quick start: a local Dask cluster of 2 workers (jobs are local processes) computing a
# dask.array reduction from a real Python client, then torn down.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node packages/cli/dist/bin.js run --backend local --workers 2 --cores 1 --memory 1GiB -- \
  /usr/bin/python3 examples/array_sum.py
