#!/bin/bash
# A real, single-node OAR 2.5.9 (Debian's oar-server, oar-node, oar-user) on PostgreSQL, for the
# daskq tests:
#
#   bash packages/testing/testbed/oar.sh        # install if needed, configure, start, run one job
#
# - PostgreSQL: Debian's default cluster on its default port, started with pg_ctlcluster (no
#   systemd). oar-database creates the database `oar` and its roles (passwords generated once and
#   kept in /etc/oar/oar.conf).
# - Resources: $OAR_CORES (default 8) cores on this machine (network_address `hostname -s`, cpu=0,
#   core=0..N-1), added with oarproperty/oarnodesetting; the machine has fewer real cores, which OAR
#   does not check. No cpusets (JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD is off: no cgroups here).
# - Queues: OAR's own `default`, `admin`, `besteffort`, and `down`, which is disabled: jobs sent there
#   (`oarsub -q down`) stay Waiting forever, which is how the tests get a job that is reliably queued.
# - Daemons: OAR's dedicated sshd on port 6667 (/etc/oar/sshd_config, user oar with the key the
#   package made in /var/lib/oar/.ssh): the server starts every job through it (bipbip -> oarexec);
#   then the server, Almighty (/usr/sbin/oar-server writes /var/run/oar-server.pid), which runs the
#   scheduler, sarko, finaud and bipbip. Logs in /var/log/oar.log.
# - OAR refuses jobs from root and oar (admission rule #2, "do not change this unless you want to
#   break oar"), so the tests submit as $DASKQ_OAR_USER (default daskq-oar), an ordinary user made
#   here: `runuser -u daskq-oar -- oarsub ...`. The job's stdout/stderr go to OAR.<jobid>.stdout and
#   .stderr in the directory oarsub ran in (or -d), which that user must be able to write.
# Safe to run again: packages, database, resources and keys are kept; a running daemon is left alone
# unless oar.conf changed (then Almighty is restarted; queued jobs are kept in the database).
. "$(dirname "$0")/common.sh"

OAR_CORES=${OAR_CORES:-8}
OAR_USER=${DASKQ_OAR_USER:-daskq-oar}
NODE=$(hostname -s)
CONF=/etc/oar/oar.conf
SERVER_PID=/var/run/oar-server.pid
SSHD_PID=/var/run/oar-node_sshd.pid    # the name Debian's /etc/init.d/oar-node uses
SCHEDULER=oar_sched_gantt_with_timesharing_and_fairsharing_and_quotas

apt_install postgresql oar-server oar-server-pgsql oar-node oar-user oar-user-pgsql

# ---- PostgreSQL -------------------------------------------------------------------------------------
# postgresql-common creates the cluster on install (it cannot start it here: policy-rc.d).
read -r PG_VERSION PG_CLUSTER PG_PORT < <(pg_lsclusters -h | awk 'NR==1 {print $1, $2, $3}') || true
[ -n "${PG_VERSION:-}" ] || { echo "oar.sh: no PostgreSQL cluster (pg_lsclusters is empty)" >&2; exit 1; }
pg_online() { [[ "$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c {print $4}')" == online* ]]; }
pg_online || pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
wait_for 30 pg_online

# ---- oar.conf ---------------------------------------------------------------------------------------
before=$(mktemp)
cp "$CONF" "$before"
conf_value() { sed -n "s/^$1=\"\\(.*\\)\"$/\\1/p" "$CONF" | tail -n1; }
# set_conf KEY VALUE: KEY="VALUE" in place of the active line, else of the commented-out default,
# else at the end (VALUE holds no | or newline).
set_conf() {
  if grep -q "^$1=" "$CONF"; then sed -i "s|^$1=.*|$1=\"$2\"|" "$CONF"
  elif grep -q "^#$1=" "$CONF"; then sed -i "0,/^#$1=.*/s||$1=\"$2\"|" "$CONF"
  else echo "$1=\"$2\"" >>"$CONF"; fi
}
random_password() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
[ -n "$(conf_value DB_BASE_PASSWD)" ] || set_conf DB_BASE_PASSWD "$(random_password)"
[ -n "$(conf_value DB_BASE_PASSWD_RO)" ] || set_conf DB_BASE_PASSWD_RO "$(random_password)"
set_conf DB_PORT "$PG_PORT"
# Almighty runs the scheduler at most every SCHEDULER_MIN_TIME_BETWEEN_2_CALLS seconds (default 5):
# a job submitted just after another waits that long. One second, as Slurm's sched_min_interval=0.
set_conf SCHEDULER_MIN_TIME_BETWEEN_2_CALLS 1
# No cgroups or cpusets on the test machines: do not run the job resource manager.
sed -i 's/^JOB_RESOURCE_MANAGER_PROPERTY_DB_FIELD=/#&/' "$CONF"
conf_changed=no
cmp -s "$before" "$CONF" || conf_changed=yes
rm -f "$before"
# oar.conf holds the database passwords: owner oar, mode 0600, as the package installs it (OAR's
# commands read it as oar through oardodo).
chown oar:root "$CONF"
chmod 0600 "$CONF"

# ---- database ---------------------------------------------------------------------------------------
# --check connects with the passwords of oar.conf. When it fails although the database exists (say
# oar.conf was reinstalled with new passwords), drop it and start afresh: this is a test bed.
if ! oar-database --check >/dev/null 2>&1; then
  if [ "$(runuser -u postgres -- psql -p "$PG_PORT" -tAc "SELECT 1 FROM pg_database WHERE datname = 'oar'")" = 1 ]; then
    echo "oar.sh: the OAR database exists but oar.conf cannot reach it; recreating it" >&2
    oar-database --drop --db-is-local -y
  fi
  oar-database --create --db-is-local -y
  oar-database --check
fi

# ---- resources and queues ---------------------------------------------------------------------------
# (Outputs are read into variables first: with pipefail, `cmd | grep -q` fails when grep exits early.)
properties=$(oarproperty -l)
for p in cpu core; do
  grep -qx "$p" <<<"$properties" || oarproperty -a "$p"
done
# The cores this node has already (one oarnodes call: each OAR command costs ~1 s of Perl and SQL).
have=" $(oarnodes --sql "network_address = '$NODE'" | { grep -oE '(^|[ ,])core=[0-9]+' || true; } | sed 's/.*core=//' | tr '\n' ' ') "
for ((i = 0; i < OAR_CORES; i++)); do
  [[ "$have" == *" $i "* ]] || oarnodesetting -a -h "$NODE" -p cpu=0 -p core="$i" -p cpuset="$i" >/dev/null
done
grep -qx down <<<"$(oarnotify -l)" || oarnotify --add-queue "down,1,$SCHEDULER" >/dev/null
oarnotify -d down >/dev/null

# ---- the node's sshd (port 6667) --------------------------------------------------------------------
# UsePrivilegeSeparation is gone from OpenSSH (a warning on every start): comment it out.
sed -i 's/^UsePrivilegeSeparation/#&/' /etc/oar/sshd_config
install -d -m 0755 /run/sshd
/usr/sbin/sshd -t -f /etc/oar/sshd_config
alive "$SSHD_PID" || /usr/sbin/sshd -f /etc/oar/sshd_config -o PidFile="$SSHD_PID"
oar_ssh_works() { runuser -u oar -- ssh -p 6667 -o BatchMode=yes -o ConnectTimeout=5 "$NODE" true; }
wait_for 30 oar_ssh_works

# ---- the server (Almighty) --------------------------------------------------------------------------
touch /var/log/oar.log
chown oar:oar /var/log/oar.log
if alive "$SERVER_PID" && [ "$conf_changed" = yes ]; then
  echo "oar.sh: oar.conf changed; restarting Almighty" >&2
  # oar-server forks Almighty off a new session: that process group is Almighty and its helpers.
  pgid=$(ps -o pgid= -p "$(cat "$SERVER_PID")" | tr -d ' ')
  kill -- "-$pgid"
  server_stopped() { ! alive "$SERVER_PID"; }
  wait_for 30 server_stopped
fi
alive "$SERVER_PID" || /usr/sbin/oar-server
wait_for 30 alive "$SERVER_PID"

# A node marked Suspected or Absent by an earlier run (e.g. its sshd was down) goes back into service.
if grep -E '^ +[0-9]+ : ' <<<"$(oarnodes -s "$NODE")" | grep -v ': Alive$' >/dev/null; then
  oarnodesetting -s Alive -h "$NODE" >/dev/null
fi

# ---- the test user, and one job from submission to Terminated ---------------------------------------
id -u "$OAR_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$OAR_USER"
check_dir=$(runuser -u "$OAR_USER" -- mktemp -d /tmp/daskq-oar-check.XXXXXX)
job=$(cd "$check_dir" && runuser -u "$OAR_USER" -- oarsub -l /core=1,walltime=0:01:00 /bin/true | sed -n 's/^OAR_JOB_ID=//p') || true
[ -n "$job" ] || { echo "oar.sh: oarsub as $OAR_USER gave no job id" >&2; exit 1; }
job_state() { oarstat -s -j "$job" | sed -n "s/^$job: //p"; }
job_ended() { [[ "$(job_state)" =~ ^(Terminated|Error)$ ]]; }
if ! wait_for 90 job_ended || [ "$(job_state)" != Terminated ]; then
  echo "oar.sh: test job $job did not run (state: $(job_state)); see /var/log/oar.log and oarstat -fj $job" >&2
  exit 1
fi
rm -rf "$check_dir"
oarnodes -s
echo "OAR $(oarstat -V | sed 's/^OAR version : //') on $NODE: $OAR_CORES cores; submit as $OAR_USER (runuser -u $OAR_USER -- oarsub ...)"
