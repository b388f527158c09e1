#!/bin/bash
# A real OpenSSH server for the daskq SSH tests, and an unprivileged user to log in as.
#
#   bash packages/testing/testbed/sshd.sh        # install if needed, start, check Slurm and SGE over ssh
#
# - sshd listens on 127.0.0.1:$DASKQ_SSHD_PORT (default 2022), key authentication only, LogLevel
#   VERBOSE (every connection is logged to $STATE/sshd/sshd.log), only user $DASKQ_SSH_USER allowed.
# - $DASKQ_SSH_USER (default daskq-ssh) is an ordinary user with its own home and login shell; the
#   tests (run as root) log in with the key pair $STATE/sshd/id_ed25519, generated here.
# - $STATE/sshd/known_hosts holds the server's host key (`[127.0.0.1]:2022 ssh-ed25519 ...`) and
#   $STATE/sshd/ssh_config an alias `daskq-testbed` (HostName, Port, User, IdentityFile): what a user's
#   ~/.ssh would hold. The tests point daskq at these files.
# - The last step submits a job to the real Slurm and SGE as that user, over ssh: the tests rely on it.
# Safe to run again: keys, user and config are kept; sshd is only started when it is not running.
. "$(dirname "$0")/common.sh"

PORT=${DASKQ_SSHD_PORT:-2022}
SSH_USER=${DASKQ_SSH_USER:-daskq-ssh}
S=$STATE/sshd

apt_install openssh-server openssh-client
install -d -m 0700 "$S"

# ---- the user ---------------------------------------------------------------------------------------
id -u "$SSH_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$SSH_USER"
# useradd leaves the password "!" (locked), and sshd refuses a locked account even for key logins:
# "*" means no password can match, yet the account is not locked.
usermod -p '*' "$SSH_USER"
HOME_DIR=$(getent passwd "$SSH_USER" | cut -d: -f6)

# ---- keys -------------------------------------------------------------------------------------------
[ -f "$S/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "daskq testbed host" -f "$S/host_ed25519"
[ -f "$S/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "daskq testbed client" -f "$S/id_ed25519"
install -d -o "$SSH_USER" -g "$SSH_USER" -m 0700 "$HOME_DIR/.ssh"
install -o "$SSH_USER" -g "$SSH_USER" -m 0600 "$S/id_ed25519.pub" "$HOME_DIR/.ssh/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$S/host_ed25519.pub")" >"$S/known_hosts"

# ---- configuration ----------------------------------------------------------------------------------
# MaxSessions 10 is OpenSSH's default: daskq must live within it on ONE connection.
cat >"$S/sshd_config" <<CONF
# Written by daskq packages/testing/testbed/sshd.sh
Port $PORT
ListenAddress 127.0.0.1
HostKey $S/host_ed25519
PidFile $S/sshd.pid
AllowUsers $SSH_USER
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowTcpForwarding yes
MaxSessions 10
MaxStartups 100:30:200
LogLevel VERBOSE
PrintMotd no
Subsystem sftp internal-sftp
CONF
cat >"$S/ssh_config" <<CONF
Host daskq-testbed
  HostName 127.0.0.1
  Port $PORT
  User $SSH_USER
  IdentityFile $S/id_ed25519
  UserKnownHostsFile $S/known_hosts
CONF

install -d -m 0755 /run/sshd                     # privilege separation directory
/usr/sbin/sshd -t -f "$S/sshd_config"
alive "$S/sshd.pid" || /usr/sbin/sshd -f "$S/sshd_config" -E "$S/sshd.log"

ssh_as_user() { ssh -F "$S/ssh_config" -o BatchMode=yes daskq-testbed "$@"; }
wait_for 10 ssh_as_user true

# ---- the batch systems, as that user, over ssh ------------------------------------------------------
# Jobs end at once; their output goes to a private directory in the user's home.
check_dir=$(ssh_as_user mktemp -d "$HOME_DIR/.daskq-testbed-check.XXXXXX")
if command -v sbatch >/dev/null; then
  ssh_as_user sbatch --parsable -o "$check_dir/slurm.out" --wrap /bin/true >/dev/null ||
    { echo "sshd.sh: $SSH_USER cannot submit to Slurm" >&2; exit 1; }
fi
if command -v qsub >/dev/null; then
  ssh_as_user qsub -terse -b y -o "$check_dir" -e "$check_dir" /bin/true >/dev/null ||
    { echo "sshd.sh: $SSH_USER cannot submit to SGE" >&2; exit 1; }
fi
ssh_as_user rm -rf "$check_dir"
echo "sshd on 127.0.0.1:$PORT for $SSH_USER: ssh -F $S/ssh_config daskq-testbed"
