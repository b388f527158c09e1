#!/bin/bash
# Debian's python3-distributed (the real Dask scheduler and workers used by the tests) and numpy
# for dask.array; pytest, ipykernel and jupyter-client for the Python package's tests. Idempotent.
. "$(dirname "$0")/common.sh"
apt_install python3-distributed python3-numpy procps python3-pytest python3-ipykernel python3-jupyter-client
/usr/bin/python3 -c 'import distributed, dask.array; print("dask distributed", distributed.__version__)'
