#!/bin/bash
# Installs and starts everything the test suite needs on a fresh Debian bookworm machine (root,
# no systemd): Dask from Debian, and the real batch systems. Idempotent; safe to run again.
set -euo pipefail
here=$(dirname "$0")
bash "$here/dask.sh"
for part in slurm slurmrest sge drmaa oar sshd chromium; do
  [ -x "$here/$part.sh" ] && bash "$here/$part.sh"
done
echo "testbed ready"
