#!/bin/bash
# HTCONDOR EMULATOR: starts one job, like HTCondor's condor_starter does.
# usage: job-wrapper.sh <exit-file> <node> <dispatch.mjs> <settings-json> <argv0> <executable> [arguments...]
#
# Runs in its own session (the emulated schedd starts it with setsid), with stdout/stderr already
# on the job's output/error files and its working directory the job's Iwd. It survives the signals
# condor_rm and condor_hold send to the job's process group, records the job's exit status
# atomically, and asks for a new turn of the emulated schedd (so that idle jobs can start).
exit_file=$1
node=$2
dispatch=$3
settings=$4
argv0=$5
shift 5

# Trapped (not ignored) signals are reset to their defaults in the job, so the job still gets them.
trap ':' INT TERM HUP QUIT USR1 USR2

# A transferred executable runs as "condor_exec.exe" in HTCondor (why dask-jobqueue runs /bin/sh).
(exec -a "$argv0" "$@")
code=$?

printf '%s\n' "$code" > "$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"

# A new turn, outside this job's session so that nothing sent to the job reaches it.
if [ -x /usr/bin/setsid ]; then
  /usr/bin/setsid "$node" "$dispatch" "$settings" < /dev/null > /dev/null 2>&1 &
else
  "$node" "$dispatch" "$settings" < /dev/null > /dev/null 2>&1 &
fi
exit "$code"
