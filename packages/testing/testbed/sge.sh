#!/bin/bash
# A real, single-host Son of Grid Engine 8.1.9 for the daskq tests: sge_qmaster + sge_execd here.
#
#   bash packages/testing/testbed/sge.sh        # install if needed, (re)start, configure, print qstat -f
#
# - Queue `all.q` on this host with $SGE_SLOTS slots (default 8), shell /bin/bash started the Unix
#   way (the script's #! line counts), no time or memory limits of its own.
# - Parallel environment `smp` (allocation_rule $pe_slots: all slots on one host), attached to all.q,
#   so the default daskq header `-pe smp <cores>` is accepted.
# - `h_vmem` is requestable (SGE's stock complex) and all.q has no h_vmem limit, so the default
#   `-l h_vmem=<memory per slot>` is accepted; it becomes the job's virtual memory ulimit
#   (per slot, multiplied by the slots of a PE job).
# - Project `daskq`, so that a `-P daskq` header line can be exercised.
# - Scheduler runs every second, so that qsub -> running takes about a second, not 15 s.
# - root may run jobs (min_uid/min_gid 0): the test machines run everything as root.
# - No accounting is read by daskq; jobs vanish from qstat as soon as they end.
# Safe to run again: configuration objects are modified when they exist and added otherwise, and the
# daemons are only started when they are not running (qmaster is restarted only when host_aliases
# had to change).
. "$(dirname "$0")/common.sh"

SGE_SLOTS=${SGE_SLOTS:-8}
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default
COMMON=$SGE_ROOT/$SGE_CELL/common
SPOOL=/var/spool/gridengine
QMASTER_PID=$SPOOL/qmaster/qmaster.pid
EXECD_PID=/var/run/gridengine/execd.pid

pid_gone() { ! pid_running "$1"; }

# ---- packages ---------------------------------------------------------------------------------------
# Answer the debconf questions up front, so that gridengine-master's postinst builds the cell
# (`default`, this host as master) without asking.
for pkg in gridengine-common gridengine-master gridengine-exec gridengine-client; do
  echo "$pkg shared/gridengineconfig boolean true"
  echo "$pkg shared/gridenginecell string $SGE_CELL"
  echo "$pkg shared/gridenginemaster string $(hostname)"
done | debconf-set-selections
apt_install gridengine-master gridengine-exec gridengine-client

# The postinst creates the Berkeley DB spool on first install only; build it if that was skipped.
if [ ! -e "$SPOOL/spooldb/sge" ]; then
  install -d -o sgeadmin -g sgeadmin "$SPOOL/qmaster" "$SPOOL/qmaster/job_scripts" "$SPOOL/spooldb"
  runuser -u sgeadmin -- /usr/share/gridengine/scripts/init_cluster "$SGE_ROOT" "$SGE_CELL" "$SPOOL/spooldb" sgeadmin
fi

# ---- host names -------------------------------------------------------------------------------------
# SGE compares host names, not addresses. Its own name for this host is what gethostname resolves to;
# the qmaster must be known under that name.
SGE_HOST=$(/usr/lib/gridengine/gethostname -name)
echo "$SGE_HOST" >"$COMMON/act_qmaster"

# Clients connect from 127.0.0.1, which /etc/hosts maps back to `localhost` (its first line). Without
# host_aliases naming localhost (and the other names of this machine) as the same host, every qconf,
# qsub and qstat is refused with "access denied ... resolved to host name localhost".
address=$(getent ahostsv4 "$SGE_HOST" | awk 'NR == 1 { print $1 }')
aliases=()
for name in $(/usr/lib/gridengine/gethostbyaddr -name "$address" 2>/dev/null) localhost "$(hostname -s)" "$(hostname -f 2>/dev/null || true)"; do
  [ -n "$name" ] && [ "$name" != "$SGE_HOST" ] || continue
  case " ${aliases[*]-} " in *" $name "*) continue ;; esac
  getent hosts "$name" >/dev/null && aliases+=("$name")
done
alias_line="$SGE_HOST${aliases[*]:+ ${aliases[*]}}"
aliases_changed=no
if [ "$(cat "$COMMON/host_aliases" 2>/dev/null)" != "$alias_line" ]; then
  echo "$alias_line" >"$COMMON/host_aliases"
  chown sgeadmin:sgeadmin "$COMMON/host_aliases"
  aliases_changed=yes
fi

# ---- qmaster ----------------------------------------------------------------------------------------
install -d -o sgeadmin -g sgeadmin -m 0755 /var/run/gridengine
if alive "$QMASTER_PID" && [ "$aliases_changed" = yes ]; then
  # host_aliases is read at start-up only: stop both daemons (the qmaster takes ~10 s to shut down).
  if alive "$EXECD_PID"; then
    pid=$(cat "$EXECD_PID"); kill "$pid"; wait_for 30 pid_gone "$pid"
  fi
  pid=$(cat "$QMASTER_PID"); kill "$pid"; wait_for 60 pid_gone "$pid"
fi
alive "$QMASTER_PID" || /usr/sbin/sge_qmaster      # daemonizes; answers after a few seconds
wait_for 60 qconf -sh

# ---- configuration (every step may run again) -------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Global configuration: let root run jobs; report load often. `qconf -Mconf` wants a file named "global".
qconf -sconf global |
  sed -e 's/^min_uid .*/min_uid                      0/' \
    -e 's/^min_gid .*/min_gid                      0/' \
    -e 's/^load_report_time .*/load_report_time             00:00:05/' >"$tmp/global"
qconf -Mconf "$tmp/global" >/dev/null

# Scheduler: a pass every second, results flushed at once, no load adjustments that would make the
# one host look busy after a few starts.
qconf -ssconf |
  sed -e 's/^schedule_interval .*/schedule_interval                 0:0:1/' \
    -e 's/^flush_submit_sec .*/flush_submit_sec                  1/' \
    -e 's/^flush_finish_sec .*/flush_finish_sec                  1/' \
    -e 's/^job_load_adjustments .*/job_load_adjustments              NONE/' \
    -e 's/^load_adjustment_decay_time .*/load_adjustment_decay_time        0:0:0/' >"$tmp/sched"
qconf -Msconf "$tmp/sched" >/dev/null

# This host administers, submits and executes.
qconf -sh 2>/dev/null | grep -qx "$SGE_HOST" || qconf -ah "$SGE_HOST" >/dev/null
qconf -ss 2>/dev/null | grep -qx "$SGE_HOST" || qconf -as "$SGE_HOST" >/dev/null
if ! qconf -se "$SGE_HOST" >/dev/null 2>&1; then
  printf '%s\n' "hostname $SGE_HOST" "load_scaling NONE" "complex_values NONE" "user_lists NONE" \
    "xuser_lists NONE" "projects NONE" "xprojects NONE" "usage_scaling NONE" "report_variables NONE" >"$tmp/host"
  qconf -Ae "$tmp/host" >/dev/null
fi

# add_or_modify KIND NAME FILE: qconf -A<kind> for a new object, -M<kind> for an existing one.
add_or_modify() {
  if qconf "-s$1" "$2" >/dev/null 2>&1; then qconf "-M$1" "$3" >/dev/null; else qconf "-A$1" "$3" >/dev/null; fi
}

printf '%s\n' "group_name @allhosts" "hostlist $SGE_HOST" >"$tmp/allhosts"
add_or_modify hgrp @allhosts "$tmp/allhosts"

# smp: any number of slots, all on one host (what `-pe smp <cores>` asks for).
cat >"$tmp/smp" <<'EOF'
pe_name            smp
slots              9999
user_lists         NONE
xuser_lists        NONE
start_proc_args    NONE
stop_proc_args     NONE
allocation_rule    $pe_slots
control_slaves     FALSE
job_is_first_task  TRUE
urgency_slots      min
accounting_summary FALSE
qsort_args         NONE
EOF
add_or_modify p smp "$tmp/smp"

# A project for `-P` (jobs may name it; nobody is forced to).
printf '%s\n' "name daskq" "oticket 0" "fshare 0" "acl NONE" "xacl NONE" >"$tmp/project"
add_or_modify prj daskq "$tmp/project"

# h_vmem stays as SGE ships it (requestable, not consumable); check that, since the default daskq
# header requests it and a site-made change would make every job unschedulable.
qconf -sc | awk '$1 == "h_vmem" { found = 1; if ($5 != "YES") { print "h_vmem is not requestable: " $0 > "/dev/stderr"; exit 1 } }
  END { if (!found) { print "no h_vmem complex" > "/dev/stderr"; exit 1 } }'

# all.q: one line per attribute, as qconf -sq prints it. `shell_start_mode unix_behavior` runs the
# script with its own #! interpreter; no limits of the queue's own (jobs bring theirs).
{
  cat <<EOF
qname                 all.q
hostlist              @allhosts
seq_no                0
load_thresholds       NONE
suspend_thresholds    NONE
nsuspend              1
suspend_interval      00:05:00
priority              0
min_cpu_interval      00:05:00
processors            UNDEFINED
qtype                 BATCH INTERACTIVE
ckpt_list             NONE
pe_list               smp
rerun                 FALSE
slots                 $SGE_SLOTS
tmpdir                /tmp
shell                 /bin/bash
prolog                NONE
epilog                NONE
shell_start_mode      unix_behavior
starter_method        NONE
suspend_method        NONE
resume_method         NONE
terminate_method      NONE
notify                00:00:60
owner_list            NONE
user_lists            NONE
xuser_lists           NONE
subordinate_list      NONE
complex_values        NONE
projects              NONE
xprojects             NONE
calendar              NONE
initial_state         default
EOF
  for limit in rt cpu fsize data stack core rss vmem; do
    printf 's_%-20s INFINITY\nh_%-20s INFINITY\n' "$limit" "$limit"
  done
} >"$tmp/all.q"
add_or_modify q all.q "$tmp/all.q"

# ---- execd ------------------------------------------------------------------------------------------
# sge_execd writes its pid to $SGE_EXECD_PIDFILE (what Debian's init script passes too).
alive "$EXECD_PID" || SGE_EXECD_PIDFILE=$EXECD_PID /usr/sbin/sge_execd
# The queue instance is usable once the execd reported load (no "-NA-" in qstat -f).
queue_reports() { qstat -f -q "all.q@$SGE_HOST" | grep "^all.q@" | grep -qv -- '-NA-'; }
wait_for 60 queue_reports
qmod -c all.q >/dev/null 2>&1 || true    # clear an error state left over from an earlier run
qstat -f
