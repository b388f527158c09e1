#!/bin/bash
# A real, single-node Slurm for the daskq tests: munged + slurmctld + slurmd on this machine.
#
#   bash packages/testing/testbed/slurm.sh        # install if needed, (re)start, print sinfo
#
# - Partition `debug` (default, UP) on the one node, which advertises $SLURM_CPUS CPUs (default 64)
#   and $SLURM_MEMORY_MB MB (default 64000) even on a 2-core machine (SlurmdParameters=config_overrides
#   lets slurmd accept that): enough for 32+ one-CPU Dask workers (idle, ~130 MB each really).
# - Partition `gpu` (UP) on the same node: a second partition for heterogeneous clusters (a `cpu`
#   pool on debug, a `gpu` pool here whose Dask workers advertise GPU=1; the node has no GPU gres).
# - Partition `down` (State=DOWN) on the same node: jobs sent there stay PENDING forever, which is
#   how the tests get a job that is reliably "queued".
# - MinJobAge=300: finished jobs stay visible to `squeue -t all` for five minutes.
# - No accounting database (sacct does not work); no systemd, no cgroups.
# - JWT authentication next to munge (AuthAltTypes=auth/jwt, HS256 key in the state directory), so
#   that slurmrestd (slurmrest.sh) can act for a user holding a token from `scontrol token`.
# Safe to run again: it only rewrites slurm.conf when it changed, reconfigures a running controller
# instead of restarting it (both daemons are restarted only when the node's CPUs or memory changed,
# which reconfigure does not apply), and puts a node that came back DOWN into service again.
. "$(dirname "$0")/common.sh"

SLURM_CPUS=${SLURM_CPUS:-64}
SLURM_MEMORY_MB=${SLURM_MEMORY_MB:-64000}
NODE=$(hostname -s)
CONF=/etc/slurm/slurm.conf

apt_install munge slurmctld slurmd slurm-client slurm-wlm-jwt-plugin

# ---- munge: Slurm's authentication ----------------------------------------------------------------
# Debian creates the key on install; make one if it is missing. munged refuses to start without
# its socket directory, which lives on tmpfs and is gone after a reboot.
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key --force
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge

munge_works() { { munge -n </dev/null | unmunge; } >/dev/null 2>&1; }
if ! munge_works; then
  runuser -u munge -- /usr/sbin/munged
  wait_for 10 munge_works
fi

# ---- configuration ----------------------------------------------------------------------------------
install -d -m 0755 /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
# The key slurmctld signs and checks JWTs with: 32 random bytes, readable by SlurmUser (root) only.
JWT_KEY=/var/lib/slurm/slurmctld/jwt_hs256.key
[ -s "$JWT_KEY" ] || head -c 32 /dev/urandom >"$JWT_KEY"
chmod 0600 "$JWT_KEY"
wanted=$(mktemp)
cat >"$wanted" <<EOF
# Written by daskq packages/testing/testbed/slurm.sh: a one-node test cluster.
ClusterName=daskq
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=${JWT_KEY}
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups here: track processes by pid, no task confinement, no accounting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
# Schedule at once after each submission (otherwise sbatch -> RUNNING takes ~2.5 s).
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Trust the CPU count below even though the machine has fewer cores.
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
InactiveLimit=0
# Finished jobs stay in squeue -t all for 5 minutes.
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${SLURM_CPUS} RealMemory=${SLURM_MEMORY_MB} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=ALL Default=NO MaxTime=INFINITE State=UP
PartitionName=down Nodes=ALL Default=NO MaxTime=INFINITE State=DOWN
EOF
conf_changed=no
if ! cmp -s "$wanted" "$CONF"; then
  install -m 0644 "$wanted" "$CONF"
  conf_changed=yes
fi
rm -f "$wanted"

# ---- daemons (both daemonize and write the pidfiles named above) ------------------------------------
controller_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
# The node size the controller works with, e.g. "CPUTot=64 RealMemory=64000".
node_size() { scontrol show node "$NODE" 2>/dev/null | grep -Eo '(CPUTot|RealMemory)=[0-9]+' | paste -sd' '; }
size_differs() { local s; s=$(node_size); [ -n "$s" ] && [ "$s" != "CPUTot=${SLURM_CPUS} RealMemory=${SLURM_MEMORY_MB}" ]; }
# Authentication plugins are loaded at start only: reconfigure does not add JWT to a running
# controller. `scontrol token` works only when the controller has it.
jwt_works() { scontrol token lifespan=60 >/dev/null 2>&1; }
controller_stopped() { ! alive /run/slurmctld.pid; }
daemons_stopped() { ! alive /run/slurmd.pid && ! alive /run/slurmctld.pid; }
stop_daemons() {
  local f
  for f in /run/slurmd.pid /run/slurmctld.pid; do alive "$f" && kill "$(cat "$f")"; done
  wait_for 30 daemons_stopped
}
if alive /run/slurmctld.pid && controller_up; then
  # Slurm 22.05's reconfigure refuses a changed node size (CPUs, RealMemory) and exits 1: "The node
  # configuration changes that were made require restart of the slurmctld daemon". Then (or when the
  # controller still has another node size, e.g. an earlier run was interrupted) restart both
  # daemons; slurmctld starts without -c, so it recovers the jobs it saved.
  if { [ "$conf_changed" = yes ] && ! scontrol reconfigure; } || size_differs; then
    echo "slurm.sh: node size changed; restarting slurmctld and slurmd" >&2
    stop_daemons
    /usr/sbin/slurmctld
  elif ! jwt_works; then
    echo "slurm.sh: enabling JWT authentication; restarting slurmctld (jobs are kept)" >&2
    kill "$(cat /run/slurmctld.pid)"
    wait_for 30 controller_stopped
    /usr/sbin/slurmctld
  fi
else
  /usr/sbin/slurmctld -c     # -c: forget jobs saved by an earlier run
fi
alive /run/slurmd.pid || /usr/sbin/slurmd
wait_for 30 controller_up

node_state() { sinfo -h -N -n "$NODE" -p debug -o %t 2>/dev/null | head -n1; }
node_known() { node_state | grep -Eq '^(idle|mix|alloc|comp|down|drain|drng|fail)'; }
node_usable() { node_state | grep -Eq '^(idle|mix|alloc|comp)'; }
wait_for 30 node_known
# A node that was DOWN when the controller last saw it (e.g. slurmd restarted) must be resumed by hand.
case "$(node_state)" in
  down* | drain* | drng* | fail*) scontrol update NodeName="$NODE" State=RESUME ;;
esac
wait_for 30 node_usable
wait_for 30 jwt_works
sinfo
