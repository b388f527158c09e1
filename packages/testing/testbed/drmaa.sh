#!/bin/bash
# SGE's DRMAA 1.0 library (Debian gridengine-drmaa1.0) for the @daskq/backend-drmaa tests, on the
# Son of Grid Engine that sge.sh starts. Idempotent; starts no daemon of its own.
#
#   bash packages/testing/testbed/drmaa.sh      # install if needed (needs sge.sh for jobs to run)
#
# The library is /usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0. To load at all it needs
# GLIBC_TUNABLES=glibc.rtld.optional_static_tls=4096 in the environment the process STARTS with
# (its libjemalloc uses initial-exec TLS: "cannot allocate memory in static TLS block" otherwise),
# and SGE_ROOT to find the cell; daskq's DRMAA helper process sets both itself.
. "$(dirname "$0")/common.sh"

LIBRARY=/usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0
apt_install gridengine-drmaa1.0
[ -e "$LIBRARY" ] || { echo "gridengine-drmaa1.0 installed, but $LIBRARY is missing" >&2; exit 1; }
echo "drmaa: $LIBRARY"
