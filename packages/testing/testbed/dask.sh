#!/bin/bash
# Debian's python3-distributed (the real Dask scheduler and workers used by the tests) and numpy
# for dask.array. Idempotent.
. "$(dirname "$0")/common.sh"
apt_install python3-distributed python3-numpy procps
/usr/bin/python3 -c 'import distributed, dask.array; print("dask distributed", distributed.__version__)'
