#!/usr/bin/env bash
# LSF EMULATOR: starts one job (or array element), like LSF's sbatchd does.
# usage: job-wrapper.sh <exit-file> <job-script> <node> <dispatch.mjs>
#
# Runs in its own session (the emulator starts it with setsid), with stdout/stderr already on the
# job's -o/-e files. It stays alive through the signals bkill and run limits send to the job's
# process group, records the job's exit code atomically, and asks for a new dispatch turn so that
# pending array elements can start.
exit_file=$1
job_script=$2
node=$3
dispatch=$4

# Trapped (not ignored) signals are reset to their defaults in the job, so the job still gets them.
trap ':' INT TERM HUP QUIT USR1 USR2

"$job_script"
code=$?

printf '%s\n' "$code" > "$exit_file.tmp" && mv -f "$exit_file.tmp" "$exit_file"

# A new turn of the emulated mbatchd, outside this job's session so that nothing sent to the job hits it.
if command -v setsid > /dev/null 2>&1; then
  setsid "$node" "$dispatch" < /dev/null > /dev/null 2>&1 &
else
  "$node" "$dispatch" < /dev/null > /dev/null 2>&1 &
fi
exit "$code"
