import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnownHosts, parseSshDestination, remoteCommandLine, resolveSshEndpoint, type HostKey } from "@daskq/core";

describe("parseSshDestination", () => {
  it("reads host, user@host, host:port, user@host:port and bracketed IPv6", () => {
    expect(parseSshDestination("login.example.org")).toEqual({ host: "login.example.org", user: undefined, port: undefined });
    expect(parseSshDestination("me@login:2222")).toEqual({ host: "login", user: "me", port: 2222 });
    expect(parseSshDestination("me@[::1]:2022")).toEqual({ host: "::1", user: "me", port: 2022 });
    expect(parseSshDestination("fe80::1")).toEqual({ host: "fe80::1", user: undefined, port: undefined });
  });

  it("refuses what is not a destination, naming the setting", () => {
    expect(() => parseSshDestination("login:99999", "--ssh")).toThrow(/\[daskq:ssh\] --ssh: invalid SSH destination "login:99999": the port "99999"/);
    expect(() => parseSshDestination("-oProxyCommand=x", "--ssh")).toThrow(/starts with -/);
    expect(() => parseSshDestination("login;rm -rf /", "--ssh")).toThrow(/spaces or shell characters/);
    expect(() => parseSshDestination("", "jobqueue.slurm.ssh")).toThrow(/jobqueue\.slurm\.ssh: .*empty/);
  });
});

describe("resolveSshEndpoint (~/.ssh/config)", () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "daskq-ssh-config-"));
    config = join(dir, "config");
    await writeFile(
      config,
      [
        "Host hpc",
        "  HostName login1.%h.example.org",
        "  User alice",
        "  Port 2200",
        "  IdentityFile ~/.ssh/hpc_ed25519",
        "  ProxyJump bastion,bob@gw:2022",
        "  StrictHostKeyChecking accept-new",
        "  ServerAliveInterval 5",
        "Host *",
        "  IdentityFile %d/.ssh/id_%r",
        "  UserKnownHostsFile ~/.ssh/kh_a ~/.ssh/kh_b",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("applies an alias: HostName (with %h), User, Port, IdentityFile, ProxyJump, known_hosts, keepalive", () => {
    const e = resolveSshEndpoint(parseSshDestination("hpc"), { configFile: config, homeDir: "/home/me", env: { SSH_AUTH_SOCK: "/run/agent" } });
    expect(e).toMatchObject({
      name: "hpc",
      host: "login1.hpc.example.org",
      user: "alice",
      port: 2200,
      identityFiles: ["/home/me/.ssh/hpc_ed25519", "/home/me/.ssh/id_alice"],
      agent: "/run/agent",
      proxyJump: [
        { host: "bastion", user: undefined, port: undefined },
        { host: "gw", user: "bob", port: 2022 },
      ],
      hostKeyPolicy: "accept-new",
      keepaliveIntervalMs: 5_000,
      keepaliveCountMax: 3,
    });
    expect(e.knownHostsFiles.slice(0, 2)).toEqual(["/home/me/.ssh/kh_a", "/home/me/.ssh/kh_b"]);
  });

  it("lets the destination's user and port win over the file, and defaults to strict host keys and port 22", () => {
    const e = resolveSshEndpoint(parseSshDestination("carol@other:2022"), { configFile: config, homeDir: "/home/me", env: {} });
    expect(e).toMatchObject({ host: "other", user: "carol", port: 2022, hostKeyPolicy: "strict", agent: undefined, proxyJump: [] });
    expect(resolveSshEndpoint(parseSshDestination("other"), { configFile: join(dir, "missing"), env: {} }).port).toBe(22);
  });

  it("names the file and the key of a malformed value", async () => {
    const bad = join(dir, "bad");
    await writeFile(bad, "Host x\n  Port twenty\n");
    expect(() => resolveSshEndpoint(parseSshDestination("x"), { configFile: bad })).toThrow(/\[daskq:ssh\] .*bad: Host x: Port "twenty": expected a whole number/);
  });
});

describe("KnownHosts", () => {
  const key = (type: string, base64: string): HostKey => ({ type, base64, fingerprint: "SHA256:x" });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "daskq-known-hosts-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("matches plain, patterned and hashed names, and tells unknown, changed and revoked keys apart", async () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[10.0.0.5]:2200").digest("base64")}`;
    const file = join(dir, "known_hosts");
    await writeFile(
      file,
      [
        "# comment",
        "login1,login2 ssh-ed25519 AAAAkey1",
        "*.example.org,!bad.example.org ssh-ed25519 AAAAkey2",
        `${hashed} ecdsa-sha2-nistp256 AAAAkey3`,
        "@revoked * ssh-rsa AAAAstolen",
        "",
      ].join("\n"),
    );
    const known = await KnownHosts.read([file, join(dir, "missing")]);
    expect(known.check("login2", key("ssh-ed25519", "AAAAkey1")).kind).toBe("known");
    expect(known.check("a.example.org", key("ssh-ed25519", "AAAAkey2")).kind).toBe("known");
    expect(known.check("bad.example.org", key("ssh-ed25519", "AAAAkey2")).kind).toBe("unknown");
    expect(known.check("[10.0.0.5]:2200", key("ecdsa-sha2-nistp256", "AAAAkey3")).kind).toBe("known");
    expect(known.check("login1", key("ssh-ed25519", "AAAAother"))).toMatchObject({ kind: "changed", line: 2 });
    expect(known.check("login1", key("ssh-rsa", "AAAAstolen"))).toMatchObject({ kind: "revoked", line: 5 });
    expect(known.check("login9", key("ssh-ed25519", "AAAAkey1")).kind).toBe("unknown");
    expect(known.keyTypes("[10.0.0.5]:2200")).toEqual(["ecdsa-sha2-nistp256"]);
  });
});

describe("remoteCommandLine", () => {
  it("single-quotes every word, environment and directory included", () => {
    expect(remoteCommandLine("sbatch", ["--parsable", "/tmp/a b/job.sh"])).toBe("exec sbatch --parsable '/tmp/a b/job.sh'");
    expect(remoteCommandLine("qstat", ["-x"], { env: { PATH: "/opt/x:$PATH", A: "it's" }, cwd: "/home/me/w d" })).toBe(
      "cd '/home/me/w d' && exec env 'PATH=/opt/x:$PATH' 'A=it'\\''s' qstat -x",
    );
    expect(() => remoteCommandLine("x", [], { env: { "A;rm": "1" } })).toThrow(/invalid environment variable name/);
  });
});
