/**
 * Shell programs the local backend runs through the CommandRunner. They take all values as
 * positional parameters ("$1", "$@"), never by string interpolation, so nothing can be injected.
 */

/**
 * `sh -c LAUNCH daskq-local <script> <log> <exitfile>`: starts the job script in its own session
 * (so cancel can signal the whole process group), records its exit code atomically, prints the pid.
 */
export const LAUNCH = [
  'setsid sh -c \'bash "$1"; code=$?; echo "$code" > "$2.tmp"; mv "$2.tmp" "$2"\' daskq-local-job "$1" "$3" > "$2" 2>&1 < /dev/null &',
  "echo $!",
].join("\n");

/**
 * True when `$pid` is the session leader of a local job (its command line names the launcher):
 * how a job of another process's backend (a dead cluster's, seen by its watchdog) is recognised.
 */
const IS_JOB = 'case "$(ps -o args= -p "$pid" 2>/dev/null)" in *daskq-local-job*) true ;; *) false ;; esac';

/**
 * `sh -c STATUS daskq-local <pid>:<exitfile> ...`: one line per job, `<pid> exit <code>`,
 * `<pid> cancelled`, `<pid> running` or `<pid> gone`. Zombies count as gone. A job given without
 * its exit file (`<pid>:`, one this backend did not start) is `running` while its launcher runs,
 * else not listed.
 */
export const STATUS = [
  "for job; do",
  '  pid=${job%%:*}; file=${job#*:}',
  `  if [ -z "$file" ]; then if ${IS_JOB}; then echo "$pid running"; fi`,
  '  elif [ -s "$file" ]; then echo "$pid exit $(cat "$file")"',
  '  elif s=$(ps -o stat= -p "$pid" 2>/dev/null) && [ -n "$s" ] && [ "${s#Z}" = "$s" ]; then echo "$pid running"',
  '  else echo "$pid gone"; fi',
  "done",
].join("\n");

/**
 * `sh -c CANCEL daskq-local <graceSeconds> <pid>:<exitfile> ...`: marks each job cancelled, sends
 * SIGTERM to its process group, and SIGKILL to groups still alive after the grace period. A job
 * given without its exit file (`<pid>:`) is signalled only while its launcher still runs, so a
 * reused pid is never hit.
 */
export const CANCEL = [
  "grace=$1; shift",
  // A job is alive while its session has a process that is not a zombie (PID 1 may reap late).
  "alive() { ps -eo sid=,stat= | awk -v s=\"$1\" '$1 == s && $2 !~ /^Z/ { found = 1 } END { exit !found }'; }",
  "ours=",
  "for job; do",
  '  pid=${job%%:*}; file=${job#*:}',
  `  if [ -z "$file" ]; then ${IS_JOB} || continue`,
  '  elif [ ! -s "$file" ]; then echo cancelled > "$file"; fi',
  '  ours="$ours $pid"',
  '  kill -TERM "-$pid" 2>/dev/null',
  "done",
  "end=$(( $(date +%s) + grace ))",
  "for pid in $ours; do",
  '  while alive "$pid" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done',
  '  kill -KILL "-$pid" 2>/dev/null',
  "done",
  "exit 0",
].join("\n");
