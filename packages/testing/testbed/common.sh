# Sourced by the testbed scripts. Idempotent helpers; no systemd on the test machines.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
STATE=${DASKQ_TESTBED_STATE:-/tmp/daskq-testbed}   # pidfiles and logs of what we start
mkdir -p "$STATE"

# apt_install PKG...: install only the missing packages, waiting for the dpkg lock.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ]; then
    apt-get -o DPkg::Lock::Timeout=300 update -q
  fi
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}" ||
    { apt-get -o DPkg::Lock::Timeout=300 update -q &&
      apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"; }
}

# pid_running PID: alive and not a zombie (PID 1 reaps late here, so kill -0 is not enough).
pid_running() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$s" ] && [ "${s:0:1}" != Z ]; }
# alive PIDFILE
alive() { [ -s "$1" ] && pid_running "$(cat "$1")"; }

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
  local t=$1; shift; local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $end ] && { echo "timeout waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}
