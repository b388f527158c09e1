#!/bin/bash
# Slurm's REST daemon (Debian's slurmrestd, the same 22.05 release as the Slurm of slurm.sh), next to
# the testbed Slurm, in the two modes daskq's slurmrest backend speaks:
#
#   bash packages/testing/testbed/slurmrest.sh    # after slurm.sh (which turns JWT on in slurmctld)
#
# - JWT over TCP on 127.0.0.1:$SLURMREST_PORT (default 6820): clients send X-SLURM-USER-NAME and
#   X-SLURM-USER-TOKEN (a token from `scontrol token`); slurmrestd reaches slurmctld with that token.
# - Local mode on the unix socket $STATE/slurmrest/slurmrestd.socket (rest_auth/local): no token, the client
#   must run as the same user as the daemon, and slurmctld sees that user (munge).
# Both run as the unprivileged user `slurmrest` (slurmrestd refuses root and SlurmUser), with the
# OpenAPI plugins v0.0.36-v0.0.38 (Debian also builds the slurmdbd ones, which fail without slurmdbd).
# Idempotent: a daemon that is already running is left alone.
. "$(dirname "$0")/common.sh"

SLURMREST_PORT=${SLURMREST_PORT:-6820}
SOCKET_DIR=$STATE/slurmrest     # slurmrestd binds its socket after dropping to the user slurmrest
SOCKET=$SOCKET_DIR/slurmrestd.socket
PLUGINS=openapi/v0.0.38,openapi/v0.0.37,openapi/v0.0.36

apt_install slurmrestd
id -u slurmrest >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin slurmrest

# start NAME LISTEN AUTH [ENV...]: slurmrestd in its own session, pidfile and log in $STATE.
start() {
  local name=$1 listen=$2 auth=$3
  shift 3
  alive "$STATE/$name.pid" && return 0
  env "$@" setsid /usr/sbin/slurmrestd -a "$auth" -s "$PLUGINS" -u slurmrest -g slurmrest "$listen" \
    </dev/null >>"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

tcp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$SLURMREST_PORT") 2>/dev/null; }
socket_up() { [ -S "$SOCKET" ]; }
# ready NAME CHECK: wait until CHECK passes or the daemon died; fail with its log in the latter case.
ready() {
  local name=$1 check=$2
  wait_for 30 eval "$check || ! alive $STATE/$name.pid" && $check && return 0
  echo "slurmrest.sh: $name did not start:" >&2
  tail -n 20 "$STATE/$name.log" >&2
  return 1
}

start slurmrestd "127.0.0.1:$SLURMREST_PORT" rest_auth/jwt SLURM_JWT=daemon
ready slurmrestd tcp_up

install -d -o slurmrest -g slurmrest -m 0755 "$SOCKET_DIR"
alive "$STATE/slurmrestd-local.pid" || rm -f "$SOCKET"
start slurmrestd-local "unix:$SOCKET" rest_auth/local
ready slurmrestd-local socket_up

echo "slurmrestd: http://127.0.0.1:$SLURMREST_PORT (JWT), unix:$SOCKET (local, user slurmrest)"
