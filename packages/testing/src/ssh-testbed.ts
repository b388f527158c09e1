import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { freePort } from "./free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, execaSync, type ResultPromise } from "execa";
import { fileURLToPath } from "node:url";
import { SshRunner, type CommandRunner, type SshRunnerOptions } from "@daskq/core";
import { eventually } from "./processes.js";

const state = join(process.env["DASKQ_TESTBED_STATE"] ?? "/tmp/daskq-testbed", "sshd");

/**
 * The sshd of the testbed (packages/testing/testbed/sshd.sh): a real OpenSSH server on 127.0.0.1
 * and an unprivileged user who may submit to the real Slurm and SGE. The files are what a user's
 * ~/.ssh would hold.
 */
export const SSH_TESTBED = {
  /** `~/.ssh/config`-style file with the alias below. */
  configFile: join(state, "ssh_config"),
  /** The alias in `configFile` (HostName, Port, User, IdentityFile, UserKnownHostsFile). */
  alias: "daskq-testbed",
  /** The private key the tests log in with. */
  identityFile: join(state, "id_ed25519"),
  /** Holds the server's host key. */
  knownHostsFile: join(state, "known_hosts"),
  /** The server's private host key (a private sshd reuses it). */
  hostKeyFile: join(state, "host_ed25519"),
  /** sshd's log (LogLevel VERBOSE: one `Connection from` line per TCP connection). */
  logFile: join(state, "sshd.log"),
  port: Number(process.env["DASKQ_SSHD_PORT"] ?? 2022),
  user: process.env["DASKQ_SSH_USER"] ?? "daskq-ssh",
  howToStart: "Run packages/testing/testbed/sshd.sh (as root).",
} as const;

/** Whether the testbed's sshd answers and lets the test user in (checked with OpenSSH's own client). */
export function sshTestbedAvailable(): boolean {
  if (!existsSync(SSH_TESTBED.configFile)) return false;
  try {
    return execaSync("ssh", ["-F", SSH_TESTBED.configFile, "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", SSH_TESTBED.alias, "true"], { reject: false, timeout: 20_000 }).exitCode === 0;
  } catch {
    return false;
  }
}

/** An `SshRunner` to the testbed through its alias, with no agent (only the testbed's key file). */
export function sshTestbedRunner(options: SshRunnerOptions = {}): SshRunner {
  return SshRunner.to(SSH_TESTBED.alias, { configFile: SSH_TESTBED.configFile, env: {}, ...options });
}

/**
 * Copies an EMULATOR (packages/testing/emulators/<name>) to a fresh directory on the far side of
 * `runner` through SFTP, so that a remote user runs it (the checkout may not be readable there).
 * Resolves that directory; the commands are in its `bin`. Remove it when done.
 */
export async function uploadEmulator(runner: CommandRunner, name: "lsf" | "pbs"): Promise<string> {
  const local = fileURLToPath(new URL(`../emulators/${name}`, import.meta.url));
  const remote = await runner.makeTempDir(`daskq-${name}-emulator-`);
  const copy = async (from: string, to: string): Promise<void> => {
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (entry.isDirectory()) await copy(join(from, entry.name), `${to}/${entry.name}`);
      else if (entry.isFile()) {
        const mode = (await stat(join(from, entry.name))).mode & 0o777;
        await runner.writeFile(`${to}/${entry.name}`, await readFile(join(from, entry.name), "utf8"), { mode });
      }
    }
  };
  await copy(local, remote);
  return remote;
}

/** An sshd of a test's own (same user, keys and settings as the testbed's), to count, drop and restart. */
export interface PrivateSshd {
  readonly port: number;
  /** A `~/.ssh/config` with the alias `private-sshd` for it (known_hosts included). */
  readonly configFile: string;
  readonly alias: string;
  /** Its log (LogLevel VERBOSE). */
  readonly logFile: string;
  /** TCP connections accepted so far (from sshd's own log). */
  connections(): Promise<number>;
  /** Kills the listener AND every connection's sshd process, then starts a new listener on the same port. */
  restart(): Promise<void>;
  /** Kills the listener and every connection. */
  stop(): Promise<void>;
}

/**
 * Starts a private sshd on a free local port, as the testbed's sshd.sh configures it. Needs root
 * and the testbed's files (run sshd.sh first).
 */
export async function startPrivateSshd(): Promise<PrivateSshd> {
  const dir = await mkdtemp(join(tmpdir(), "daskq-private-sshd-"));
  const port = await freePort();
  const log = join(dir, "sshd.log");
  const hostKey = (await readFile(`${SSH_TESTBED.hostKeyFile}.pub`, "utf8")).trim().split(/\s+/).slice(0, 2).join(" ");
  await writeFile(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
  await writeFile(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${SSH_TESTBED.hostKeyFile}`,
      "PidFile none",
      `AllowUsers ${SSH_TESTBED.user}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "AllowTcpForwarding yes",
      "MaxSessions 10",
      "LogLevel VERBOSE",
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  const configFile = join(dir, "ssh_config");
  await writeFile(
    configFile,
    [`Host private-sshd`, `  HostName 127.0.0.1`, `  Port ${port}`, `  User ${SSH_TESTBED.user}`, `  IdentityFile ${SSH_TESTBED.identityFile}`, `  UserKnownHostsFile ${join(dir, "known_hosts")}`, ""].join("\n"),
  );
  let listener: ResultPromise | undefined;
  const start = async () => {
    listener = execa("/usr/sbin/sshd", ["-D", "-f", join(dir, "sshd_config"), "-E", log], { reject: false, stdin: "ignore" });
    const up = await eventually(async () => (await readFile(log, "utf8").catch(() => "")).split("Server listening").length > started + 1, 10_000, 50);
    if (!up) throw new Error(`[daskq:testing] the private sshd did not start; its log:\n${await readFile(log, "utf8").catch(() => "")}`);
    started++;
  };
  let started = 0;
  const kill = async () => {
    const pid = listener?.pid;
    if (pid === undefined) return;
    // The listener forks a privileged sshd per connection, which forks the user's one: kill the tree.
    const tree = await execa("ps", ["-eo", "pid=,ppid="]).then(({ stdout }) => stdout.split("\n").map((l) => l.trim().split(/\s+/).map(Number)));
    const descendants: number[] = [];
    const walk = (parent: number) => {
      for (const [child, ppid] of tree) {
        if (ppid === parent && child !== undefined) {
          descendants.push(child);
          walk(child);
        }
      }
    };
    walk(pid);
    for (const victim of [...descendants, pid]) {
      try {
        process.kill(victim, victim === pid ? "SIGTERM" : "SIGKILL");
      } catch {
        // already gone
      }
    }
    await listener;
    listener = undefined;
  };
  await start();
  return {
    port,
    configFile,
    alias: "private-sshd",
    logFile: log,
    async connections() {
      return ((await readFile(log, "utf8")).match(/^Connection from /gm) ?? []).length;
    },
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
