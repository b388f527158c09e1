/** The daskq command driving the REAL Slurm as an unprivileged user over the testbed's sshd. */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalRunner } from "@daskq/core";
import { computeArraySum, clientEnvFromFile, eventually, requireService, SSH_TESTBED, sshTestbedAvailable } from "@daskq/testing";
import { DASKQ_BIN as bin, ROOT as root, startDaskq } from "./daskq-process.js";

const slurmUp = async () => (await new LocalRunner().run("scontrol", ["ping"]).catch(() => undefined))?.stdout.includes("is UP") ?? false;
const enabled = requireService("Slurm and the testbed sshd", (await slurmUp()) && sshTestbedAvailable(), `bash packages/testing/testbed/slurm.sh; ${SSH_TESTBED.howToStart}`);

/** The jobs of the SSH user, as Slurm lists them. */
const userJobs = async () => (await execa("squeue", ["-h", "-u", SSH_TESTBED.user, "-o", "%i %j %T"])).stdout.split("\n").filter((l) => l.trim() !== "");
/** The SSH user's scheduler processes. */
const userSchedulers = async () => (await execa("ps", ["-u", SSH_TESTBED.user, "-o", "pid=,args="], { reject: false })).stdout.split("\n").filter((l) => l.includes("dask_scheduler"));

describe.runIf(enabled)("daskq --ssh on a real Slurm, as another user", () => {
  let home: string;
  let env: Record<string, string>;
  const daskq = (args: string[], extraEnv: Record<string, string> = {}) => execa("node", [bin, ...args], { cwd: root, env: { ...env, ...extraEnv }, extendEnv: false, reject: false, timeout: 180_000 });

  beforeAll(async () => {
    // A laptop user's home: ~/.ssh/config with the alias, the key and known_hosts.
    home = await mkdtemp(join(tmpdir(), "daskq-cli-ssh-home-"));
    await mkdir(join(home, ".ssh"), { mode: 0o700 });
    await copyFile(SSH_TESTBED.configFile, join(home, ".ssh", "config"));
    env = { PATH: process.env["PATH"] ?? "", HOME: home };
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it("daskq job-script --ssh finds the login node's python for the workers", async () => {
    const result = await daskq(["job-script", "--backend", "slurm", "--ssh", "daskq-testbed", "--cores", "1", "--memory", "1GiB"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("#SBATCH -J dask-worker");
    expect(result.stdout).toContain("/usr/bin/python3 -m distributed.cli.dask_worker tcp://SCHEDULER-ADDRESS:8786");
    const shown = await daskq(["config", "--backend", "slurm", "--ssh", "daskq-testbed", "--json"]);
    expect(JSON.stringify(JSON.parse(shown.stdout))).toContain("daskq-testbed");
  });

  it("refuses an unknown host key before anything runs", async () => {
    const stranger = await mkdtemp(join(tmpdir(), "daskq-cli-ssh-stranger-"));
    await mkdir(join(stranger, ".ssh"));
    const empty = join(stranger, ".ssh", "known_hosts");
    await writeFile(empty, "");
    await writeFile(join(stranger, ".ssh", "config"), (await readFile(SSH_TESTBED.configFile, "utf8")).replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${empty}`));
    const before = await userJobs();
    const result = await daskq(["up", "--backend", "slurm", "--ssh", "daskq-testbed", "--jobs", "1", "--cores", "1", "--memory", "1GiB"], { HOME: stranger });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/\[daskq:ssh\] unknown host key for daskq-ssh@daskq-testbed:2022: ssh-ed25519 SHA256:\S+ is not in .*known_hosts\. Refusing to connect/);
    expect(await userJobs()).toEqual(before);
    await rm(stranger, { recursive: true, force: true });
  });

  it("daskq up --backend slurm --ssh ALIAS --jobs 2: jobs as that user, scheduler on the login node, client through the printed local address; Ctrl-C leaves nothing", async () => {
    const up = startDaskq(["up", "--backend", "slurm", "--ssh", "daskq-testbed", "--jobs", "2", "--cores", "1", "--memory", "1GiB", "--queue", "debug", "--poll-interval", "0.5", "--log-directory", "/tmp/daskq-over-ssh/cli"], env);
    const { child } = up;
    await up.waitFor("2/2 workers", 120_000);
    expect(up.output()).toContain("2/2 workers");
    const local = /Scheduler: (tls:\/\/127\.0\.0\.1:\d+) \(forwarded over ssh daskq-ssh@daskq-testbed:2022 to (tls:\/\/\S+)\)/.exec(up.output());
    expect(local, up.output()).not.toBeNull();
    const envFile = /in a shell: \. (\S+)/.exec(up.output())?.[1] as string;
    expect(await computeArraySum({ schedulerAddress: local?.[1] as string, clientEnv: await clientEnvFromFile(envFile) }, 500)).toBe(250_000);
    expect((await userJobs()).filter((l) => l.includes("RUNNING")).length).toBeGreaterThanOrEqual(2);
    expect((await userSchedulers()).length).toBe(1);
    child.kill("SIGINT");
    expect((await child).exitCode).toBe(0);
    expect(await eventually(async () => (await userJobs()).length === 0 && (await userSchedulers()).length === 0, 30_000)).toBe(true);
  });
});
