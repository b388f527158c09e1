import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshRunner, type SshRunnerOptions } from "@daskq/core";
import { eventually, requireService, SSH_TESTBED, sshTestbedAvailable, startPrivateSshd, type PrivateSshd } from "@daskq/testing";

const present = requireService("the testbed sshd", sshTestbedAvailable(), SSH_TESTBED.howToStart);

describe.runIf(present)("SshRunner against a real sshd", () => {
  let sshd: PrivateSshd;
  let dir: string;
  const runners: SshRunner[] = [];
  const runner = (options: SshRunnerOptions = {}, alias = "private-sshd") => {
    const r = SshRunner.to(alias, { configFile: sshd.configFile, env: {}, ...options });
    runners.push(r);
    return r;
  };

  beforeAll(async () => {
    sshd = await startPrivateSshd();
    dir = await mkdtemp(join(tmpdir(), "daskq-ssh-test-"));
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.close()));
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("runs commands as the remote user, passes arguments and environment verbatim, and reports exit codes", async () => {
    const ssh = runner();
    expect((await ssh.run("id", ["-un"])).stdout.trim()).toBe(SSH_TESTBED.user);
    const nasty = ["a b", "it's", "$(touch /tmp/daskq-pwned)", "`id`", "x;y|z&", "line\nbreak", ""];
    const echoed = await ssh.run("printf", ["%s|", ...nasty]);
    expect(echoed.stdout).toBe(nasty.map((a) => `${a}|`).join(""));
    const env = await ssh.run("sh", ["-c", 'printf "%s" "$DASKQ_X"; pwd'], { env: { DASKQ_X: "v $(id) 'q'" }, cwd: "/tmp" });
    expect(env.stdout).toBe("v $(id) 'q'/tmp\n");
    expect((await ssh.run("cat", [], { input: "from stdin" })).stdout).toBe("from stdin");
    const failed = await ssh.run("sh", ["-c", "echo oops >&2; exit 3"]);
    expect(failed).toMatchObject({ exitCode: 3, stderr: "oops\n" });
    await expect(ssh.run("no-such-command-daskq", [])).rejects.toThrow(/\[daskq:runner\] could not run no-such-command-daskq/);
    expect(ssh.connectionsOpened).toBe(1);
  });

  it("writes, reads and creates files through SFTP on the same connection", async () => {
    const ssh = runner();
    const home = await ssh.homeDirectory();
    expect(home).toBe(`/home/${SSH_TESTBED.user}`);
    const tmp = await ssh.makeTempDir("daskq-test-");
    const path = `${tmp}/deep/er/job.sh`;
    await ssh.writeFile(path, "#!/bin/sh\necho hi\n", { mode: 0o700 });
    expect(await ssh.readFile(path)).toBe("#!/bin/sh\necho hi\n");
    expect((await ssh.run("stat", ["-c", "%a %U", path])).stdout.trim()).toBe(`700 ${SSH_TESTBED.user}`);
    expect((await ssh.run(path, [])).stdout).toBe("hi\n");
    expect(await ssh.readFile(`${tmp}/missing`)).toBeUndefined();
    await ssh.run("rm", ["-rf", tmp]);
    expect(ssh.connectionsOpened).toBe(1);
  });

  it("multiplexes many concurrent commands over ONE connection, beyond the server's MaxSessions", async () => {
    const before = await sshd.connections();
    const ssh = runner();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ssh.run("sh", ["-c", `sleep 0.2; echo ${i}`])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    expect(ssh.connectionsOpened).toBe(1);
    expect((await sshd.connections()) - before).toBe(1);
  });

  it("forwards a local port to a remote one over the connection", async () => {
    const ssh = runner();
    const server = execa("/usr/bin/python3", ["-c", "import socket,sys\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen();print(s.getsockname()[1],flush=True)\nc,_=s.accept();c.sendall(c.recv(100).upper());c.close()"], { reject: false });
    const port = await new Promise<number>((resolve) => server.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    const forward = await ssh.forwardLocalPort("127.0.0.1", port);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(forward.port, forward.host, () => socket.write("hello"));
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toBe("HELLO");
    await forward.close();
    await server;
  });

  it("refuses an unknown host key before any command runs, and records it only when asked", async () => {
    const config = join(dir, "unknown_config");
    const knownHosts = join(dir, "empty_known_hosts");
    await writeFile(knownHosts, "");
    await writeFile(config, (await readFile(sshd.configFile, "utf8")).replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${knownHosts}`));
    const log = () => execa("grep", ["-c", "Accepted publickey", sshd.logFile], { reject: false }).then((r) => Number(r.stdout || 0));
    const acceptedBefore = await log();
    const strict = SshRunner.to("private-sshd", { configFile: config, env: {} });
    runners.push(strict);
    await expect(strict.run("touch", ["/tmp/daskq-should-not-exist"])).rejects.toThrow(/\[daskq:ssh\] unknown host key for daskq-ssh@private-sshd:\d+: ssh-ed25519 SHA256:.*Refusing to connect/s);
    expect(await log()).toBe(acceptedBefore); // never authenticated, so nothing ran
    expect(await readFile(knownHosts, "utf8")).toBe("");

    const accepting = SshRunner.to("private-sshd", { configFile: config, env: {}, hostKeyPolicy: "accept-new" });
    runners.push(accepting);
    expect((await accepting.run("true", [])).exitCode).toBe(0);
    expect(await readFile(knownHosts, "utf8")).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 \\S+\\n$`));
    const again = SshRunner.to("private-sshd", { configFile: config, env: {} });
    runners.push(again);
    expect((await again.run("true", [])).exitCode).toBe(0);
  });

  it("refuses a CHANGED host key even with accept-new", async () => {
    const config = join(dir, "changed_config");
    const knownHosts = join(dir, "changed_known_hosts");
    const other = join(dir, "other_key");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const otherKey = (await readFile(`${other}.pub`, "utf8")).split(" ").slice(0, 2).join(" ");
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${otherKey}\n`);
    await writeFile(config, (await readFile(sshd.configFile, "utf8")).replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${knownHosts}`));
    const ssh = SshRunner.to("private-sshd", { configFile: config, env: {}, hostKeyPolicy: "accept-new" });
    runners.push(ssh);
    await expect(ssh.run("true", [])).rejects.toThrow(/HOST KEY CHANGED.*changed_known_hosts:1/s);
  });

  it("says which keys it tried when authentication fails, and reads an encrypted key's passphrase from DASKQ_SSH_PASSPHRASE", async () => {
    const stranger = join(dir, "stranger");
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    const config = join(dir, "auth_config");
    const base = await readFile(sshd.configFile, "utf8");
    await writeFile(config, base.replace(/IdentityFile .*/, `IdentityFile ${stranger}`));
    const refused = SshRunner.to("private-sshd", { configFile: config, env: {} });
    runners.push(refused);
    await expect(refused.run("true", [])).rejects.toThrow(new RegExp(`authentication failed for user ${SSH_TESTBED.user}.*key ${stranger}: refused by the server`, "s"));

    const encrypted = join(dir, "encrypted");
    await copyFile(SSH_TESTBED.identityFile, encrypted);
    await execa("ssh-keygen", ["-q", "-p", "-N", "s3cret", "-f", encrypted]);
    await writeFile(config, base.replace(/IdentityFile .*/, `IdentityFile ${encrypted}`));
    const noPassphrase = SshRunner.to("private-sshd", { configFile: config, env: {}, promptPassphrase: async () => undefined });
    runners.push(noPassphrase);
    await expect(noPassphrase.run("true", [])).rejects.toThrow(/it is encrypted; set DASKQ_SSH_PASSPHRASE/);
    const withPassphrase = SshRunner.to("private-sshd", { configFile: config, env: { DASKQ_SSH_PASSPHRASE: "s3cret" } });
    runners.push(withPassphrase);
    expect((await withPassphrase.run("true", [])).exitCode).toBe(0);
  });

  it("follows ProxyJump from ~/.ssh/config (here: through the same server)", async () => {
    const config = join(dir, "jump_config");
    const base = await readFile(sshd.configFile, "utf8");
    await writeFile(config, `${base}\nHost behind-jump\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${SSH_TESTBED.user}\n  ProxyJump private-sshd\n  IdentityFile ${SSH_TESTBED.identityFile}\n  UserKnownHostsFile ${join(sshd.configFile, "..", "known_hosts")}\n`);
    const before = await sshd.connections();
    const ssh = SshRunner.to("behind-jump", { configFile: config, env: {} });
    runners.push(ssh);
    expect((await ssh.run("echo", ["through"])).stdout).toBe("through\n");
    expect((await sshd.connections()) - before).toBe(2); // the hop, then the target through it
  });

  it("fails in-flight commands clearly when the connection drops, then reconnects on the next call after the back-off", async () => {
    const ssh = runner({ reconnectDelayMs: 4_000 });
    expect((await ssh.run("true", [])).exitCode).toBe(0);
    const running = ssh.run("sleep", ["30"]).then(() => undefined, (error: Error) => error);
    await new Promise((r) => setTimeout(r, 300));
    await sshd.restart();
    expect((await running)?.message).toMatch(/^\[daskq:ssh\] sleep was interrupted: the connection to daskq-ssh@private-sshd:\d+ was lost; it may or may not have run$/);
    await expect(ssh.run("true", [])).rejects.toThrow(/not connected to .*next attempt in/);
    const lostAt = Date.now();
    expect(await eventually(async () => (await ssh.run("echo", ["back"]).catch(() => undefined))?.stdout === "back\n", 20_000, 250)).toBe(true);
    expect(Date.now() - lostAt).toBeGreaterThan(2_000); // it waited for the back-off
    expect(ssh.connectionsOpened).toBe(2);
  });
});
