#!/bin/bash
# Captures the golden samples in packages/testing/test/golden/oar/ from the REAL OAR of oar.sh:
# what oarsub, oarstat -J/-fJ and oardel print, for jobs that run, wait, end, fail and are deleted.
#
#   bash packages/testing/testbed/oar-samples.sh      # as root, after oar.sh; rewrites the samples
#
# Each sample is one command, run as the OAR test user in a fresh directory, and its answer:
# a header (`# key: value` lines: the command, the user, OAR's version, the date, the exit status),
# then `--- stdout ---` and `--- stderr ---` sections with the output unchanged.
# test/oar-testbed.test.ts reads them (packages/testing/src/oar-samples.ts) and checks them, and
# the same commands' live answers, for the fields the OAR backend needs.
. "$(dirname "$0")/common.sh"

OAR_USER=${DASKQ_OAR_USER:-daskq-oar}
OUT=$(cd "$(dirname "$0")/../test/golden/oar" && pwd)
VERSION="$(oarstat -V | sed 's/^OAR version : //'), Debian package oar-server $(dpkg-query -W -f='${Version}' oar-server)"
DIR=$(runuser -u "$OAR_USER" -- mktemp -d /tmp/daskq-oar-samples.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

as_user() { runuser -u "$OAR_USER" -- bash -c "cd '$DIR' && $1"; }
# sample NAME COMMAND: run COMMAND (a shell command line) as the user and write NAME.txt.
sample() {
  local name=$1 command=$2 rc=0
  as_user "$command" >"$DIR/.out" 2>"$DIR/.err" || rc=$?
  {
    echo "# OAR golden sample: $name"
    echo "# command: $command"
    echo "# as: $OAR_USER (an ordinary user: OAR refuses jobs from root), in a fresh directory under /tmp"
    echo "# oar: $VERSION"
    echo "# captured: $(date -u +%Y-%m-%dT%H:%M:%SZ) on the daskq testbed (packages/testing/testbed/oar.sh, $(hostname -s))"
    echo "# exit status: $rc"
    echo "--- stdout ---"
    cat "$DIR/.out"
    echo "--- stderr ---"
    cat "$DIR/.err"
  } >"$OUT/$name.txt"
}
# submit COMMAND: the job ids oarsub printed (OAR_JOB_ID=N lines), as the user.
submit() { as_user "$1" | sed -n 's/^OAR_JOB_ID=//p'; }
# wait_state ID REGEX: wait until oarstat -s says the job's state matches REGEX (e.g. 'Terminated|Error').
wait_state() { wait_for 120 sh -c "oarstat -s -j $1 | grep -Eqx '$1: ($2)'"; }

# ---- submissions --------------------------------------------------------------------------------------
sample oarsub "oarsub -l /core=1,walltime=0:05:00 'sleep 60'"
running=$(sed -n 's/^OAR_JOB_ID=//p' "$OUT/oarsub.txt")
sample oarsub-array "oarsub --array 3 -n daskq-array -l /core=1,walltime=0:05:00 'echo index=\$OAR_ARRAY_INDEX array=\$OAR_ARRAY_ID job=\$OAR_JOB_ID'"
mapfile -t array < <(sed -n 's/^OAR_JOB_ID=//p' "$OUT/oarsub-array.txt")
array_id=$(sed -n 's/^OAR_ARRAY_ID=//p' "$OUT/oarsub-array.txt")
sample oarsub-output-names "oarsub -n daskq-worker -O 'daskq-worker.%jobid%.out' -E 'daskq-worker.%jobid%.err' -l /core=1,walltime=0:05:00 'echo to-stdout; echo to-stderr >&2'"
named=$(sed -n 's/^OAR_JOB_ID=//p' "$OUT/oarsub-output-names.txt")
waiting=$(submit "oarsub -q down -n daskq-waiting -l /core=1,walltime=0:05:00 'sleep 60'")
failed=$(submit "oarsub -n daskq-exit-3 -l /core=1,walltime=0:05:00 'echo out; echo err >&2; exit 3'")
errored=$(submit "oarsub -n daskq-bad-dir -d /nonexistent/daskq -l /core=1,walltime=0:05:00 true")

# ---- states -------------------------------------------------------------------------------------------
wait_state "$running" Running
sample oarstat-J-running "oarstat -J -j $running"
sample oarstat-fJ-running "oarstat -fJ -j $running"
sample oarstat-fJ-waiting "oarstat -fJ -j $waiting"
for id in "${array[@]}" "$named" "$failed"; do wait_state "$id" Terminated; done
wait_state "$errored" Error
sample oarstat-fJ-terminated "oarstat -fJ -j $named"
sample oarstat-fJ-terminated-exit-3 "oarstat -fJ -j $failed"
sample oarstat-fJ-error "oarstat -fJ -j $errored"
sample oarstat-fJ-array "oarstat -fJ$(printf ' -j %s' "${array[@]}")"
sample oarstat-J-array "oarstat -J --array $array_id"
sample oarstat-fJ-poll "oarstat -fJ -j $running -j $waiting -j $failed -j 99999999"
sample oarstat-J-unknown "oarstat -J -j 99999999"
sample oarstat-J "oarstat -J"
# Output file names: OAR.<id>.stdout, OAR.<name>.<id>.stdout for a named job (-n), or what -O/-E say.
sample job-output 'for f in OAR.* daskq-worker.*; do echo "== $f"; cat "$f"; done'

# ---- deletion -----------------------------------------------------------------------------------------
sample oardel "oardel $waiting $running"
wait_state "$waiting" 'Terminated|Error'
wait_state "$running" 'Terminated|Error'
sample oarstat-fJ-deleted-waiting "oarstat -fJ -j $waiting"
sample oarstat-fJ-deleted-running "oarstat -fJ -j $running"
sample oardel-again "oardel $waiting"
sample oardel-finished "oardel $failed"
sample oardel-unknown "oardel 99999999"
ls "$OUT"
