import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type LoadConfigRequest } from "../../src/config/load-config.js";
import { ConfigError } from "../../src/errors.js";
import { sandbox, TEST_KEYS, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function load(request: Partial<LoadConfigRequest> = {}) {
  return loadConfig({ section: "slurm", keys: TEST_KEYS, env: box.env, homeDir: box.home, ...request });
}

/** The ConfigError thrown by `fn`. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig: defaults", () => {
  it("starts from the key defaults, and leaves keys without one unset", () => {
    const config = load();
    expect(config.values).toEqual({
      name: "dask-worker",
      "death-timeout": 60,
      "worker-command": "distributed.cli.dask_worker",
      "worker-extra-args": [],
      nanny: true,
      "job-script-prologue": [],
      "job-script-epilogue": [],
      "job-extra-directives": [],
      "job-directives-skip": [],
      shebang: "#!/usr/bin/env bash",
      "scheduler-options": {},
      walltime: 1800,
      env: {},
    });
    expect(config.sources["walltime"]).toEqual({ kind: "default" });
    expect(config.sources["cores"]).toBeUndefined();
    expect(config.files).toEqual([]);
    expect(config.warnings).toEqual([]);
  });

  it("lets backend defaults beat key defaults, parsed with the backend's two-part walltime rule", () => {
    const config = load({ defaults: { walltime: "30:00", "job-cpu": 2 }, walltimeTwoPart: "minutes:seconds" });
    expect(config.values["walltime"]).toBe(1800);
    expect(config.values["job-cpu"]).toBe(2);
    expect(config.sources["walltime"]).toEqual({ kind: "backend-default" });
  });

  it("rejects a backend default for an unknown key", () => {
    expect(configError(() => load({ defaults: { bogus: 1 } })).message).toBe(
      "[daskq:config] backend default: jobqueue.slurm.bogus: unknown key in the backend's defaults",
    );
  });
});

describe("loadConfig: precedence", () => {
  it("applies file < env < option and reports each source", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    cores: 4\n    memory: 8GB\n    queue: normal\n");
    const config = load({
      env: { ...box.env, DASK_JOBQUEUE__SLURM__MEMORY: "16GB", DASK_JOBQUEUE__SLURM__QUEUE: "long" },
      options: { queue: "debug", account: undefined },
    });
    expect(config.values).toMatchObject({ cores: 4, memory: 16e9, queue: "debug" });
    expect(config.sources["cores"]).toEqual({ kind: "file", detail: file });
    expect(config.sources["memory"]).toEqual({ kind: "env", detail: "DASK_JOBQUEUE__SLURM__MEMORY" });
    expect(config.sources["queue"]).toEqual({ kind: "option", detail: "queue" });
    expect(config.sources["account"]).toBeUndefined();
    expect(config.files).toEqual([file]);
  });

  it("orders files /etc/dask < ~/.config/dask < DASK_CONFIG and by name within a directory", () => {
    box.write("etc/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    cores: 1\n    memory: 1GB\n    queue: etc\n    account: etc\n");
    box.write("home/.config/dask/a.yaml", "jobqueue:\n  slurm:\n    cores: 2\n    memory: 2GB\n");
    const b = box.write("home/.config/dask/b.yml", "jobqueue:\n  slurm:\n    cores: 3\n");
    const override = box.write("override.json", '{"jobqueue": {"slurm": {"queue": "override"}}}');
    const config = load({ env: { ...box.env, DASK_CONFIG: override } });
    expect(config.values).toMatchObject({ cores: 3, memory: 2e9, queue: "override", account: "etc" });
    expect(config.sources["cores"]).toEqual({ kind: "file", detail: b });
    expect(config.sources["queue"]).toEqual({ kind: "file", detail: override });
    expect(config.files).toHaveLength(4);
  });

  it("deep-merges mappings across files and env, and lets lists replace", () => {
    box.write(
      "etc/dask/site.yaml",
      "jobqueue:\n  slurm:\n    scheduler-options: {dashboard_address: ':8787', protocol: tcp}\n    env: {A: '1', B: '2'}\n" +
        "    job-extra-directives: [--exclusive]\n",
    );
    box.write(
      "home/.config/dask/jobqueue.yaml",
      "jobqueue:\n  slurm:\n    scheduler_options: {dashboard-address: ':0'}\n    env: {B: '3'}\n    job-extra-directives: [--qos=low]\n",
    );
    const config = load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__ENV__C: "4" } });
    expect(config.values["scheduler-options"]).toEqual({ dashboard_address: ":0", protocol: "tcp" });
    expect(config.values["env"]).toEqual({ A: "1", B: "3", c: 4 });
    expect(config.sources["env"]).toEqual({ kind: "env", detail: "DASK_JOBQUEUE__SLURM__ENV__C" });
    expect(config.values["job-extra-directives"]).toEqual(["--qos=low"]);
  });

  it("lets an option replace a mapping rather than merge into it", () => {
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    env: {A: '1'}\n");
    expect(load({ options: { env: { B: "2" } } }).values["env"]).toEqual({ B: "2" });
  });

  it("treats _ and - in YAML and option names as the same, and accepts camelCase options", () => {
    box.write(
      "home/.config/dask/jobqueue.yaml",
      "jobqueue:\n  slurm:\n    death_timeout: 30\n    job_extra_directives: ['--exclusive']\n    local-directory: /tmp\n",
    );
    const config = load({ options: { logDirectory: "/logs", job_cpu: 2, "shared-temp-directory": "/shared" } });
    expect(config.values).toMatchObject({
      "death-timeout": 30,
      "job-extra-directives": ["--exclusive"],
      "local-directory": "/tmp",
      "log-directory": "/logs",
      "job-cpu": 2,
      "shared-temp-directory": "/shared",
    });
  });

  it("treats _ and - in section names as the same", () => {
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  my_cluster:\n    cores: 6\n");
    const config = load({ section: "my-cluster", env: { ...box.env, DASK_JOBQUEUE__MY_CLUSTER__MEMORY: "1GiB" } });
    expect(config.values).toMatchObject({ cores: 6, memory: 2 ** 30 });
  });
});

describe("loadConfig: null", () => {
  it("unsets a default with a YAML null, keeping the source", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    walltime: null\n    queue: ~\n");
    const config = load();
    expect(config.values).not.toHaveProperty("walltime");
    expect(config.values).not.toHaveProperty("queue");
    expect(config.sources["walltime"]).toEqual({ kind: "file", detail: file });
  });

  it("unsets a value from a lower file, and is overridden by a higher layer", () => {
    box.write("etc/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    queue: normal\n    account: proj\n");
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    queue: null\n    account: null\n");
    const config = load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__ACCOUNT: "other" } });
    expect(config.values).not.toHaveProperty("queue");
    expect(config.values["account"]).toBe("other");
  });

  it("unsets with None in env and null in options", () => {
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    queue: normal\n    interface: ib0\n");
    const config = load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__QUEUE: "None" }, options: { interface: null } });
    expect(config.values).not.toHaveProperty("queue");
    expect(config.values).not.toHaveProperty("interface");
    expect(config.sources["interface"]).toEqual({ kind: "option", detail: "interface" });
  });
});

describe("loadConfig: deprecated names", () => {
  it("maps every alias to the new name with a warning naming it", () => {
    const file = box.write(
      "home/.config/dask/jobqueue.yaml",
      "jobqueue:\n  slurm:\n    extra: [--lifetime, 1h]\n    env-extra: [module load python]\n    job-extra: [--exclusive]\n" +
        "    header-skip: [--mem]\n    project: proj\n",
    );
    const config = load();
    expect(config.values).toMatchObject({
      "worker-extra-args": ["--lifetime", "1h"],
      "job-script-prologue": ["module load python"],
      "job-extra-directives": ["--exclusive"],
      "job-directives-skip": ["--mem"],
      account: "proj",
    });
    expect(config.warnings).toEqual([
      `${file}: jobqueue.slurm.extra: deprecated name, use worker-extra-args`,
      `${file}: jobqueue.slurm.env-extra: deprecated name, use job-script-prologue`,
      `${file}: jobqueue.slurm.job-extra: deprecated name, use job-extra-directives`,
      `${file}: jobqueue.slurm.header-skip: deprecated name, use job-directives-skip`,
      `${file}: jobqueue.slurm.project: deprecated name, use account`,
    ]);
  });

  it("accepts aliases in env and options", () => {
    const config = load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__PROJECT: "p1" }, options: { envExtra: ["module load x"] } });
    expect(config.values).toMatchObject({ account: "p1", "job-script-prologue": ["module load x"] });
    expect(config.warnings).toEqual([
      "env DASK_JOBQUEUE__SLURM__PROJECT: jobqueue.slurm.project: deprecated name, use account",
      "option envExtra: jobqueue.slurm.env-extra: deprecated name, use job-script-prologue",
    ]);
  });

  it("prefers the new name when one layer gives both", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    project: old\n    account: new\n");
    const config = load();
    expect(config.values["account"]).toBe("new");
    expect(config.warnings).toEqual([
      `${file}: jobqueue.slurm.project: deprecated name, use account; ignored because account is also set`,
    ]);
  });

  it("lets a backend redeclare a shared key, e.g. to make project a key of its own (LSF, SGE, OAR)", () => {
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  lsf:\n    project: DaskOnLSF\n");
    const keys = [
      ...TEST_KEYS,
      { name: "account", kind: "string", description: "unused by LSF" },
      { name: "project", kind: "string", description: "LSF -P" },
    ] as const;
    const config = load({ section: "lsf", keys });
    expect(config.values["project"]).toBe("DaskOnLSF");
    expect(config.values).not.toHaveProperty("account");
    expect(config.warnings).toEqual([]);
    expect(config.keys.map((key) => key.name).indexOf("account")).toBe(TEST_KEYS.findIndex((key) => key.name === "account"));
    expect(config.keys).toHaveLength(TEST_KEYS.length + 1);
  });

  it("ignores null and empty placeholders under old names, which never override the new name in dask-jobqueue", () => {
    box.write("etc/dask/site.yaml", "jobqueue:\n  slurm:\n    account: site\n    job-script-prologue: [module load python]\n");
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    project: null\n    env-extra: []\n");
    const config = load();
    expect(config.values).toMatchObject({ account: "site", "job-script-prologue": ["module load python"] });
    expect(config.warnings).toEqual([]);
  });
});

describe("loadConfig: unknown keys and other sections", () => {
  it("warns about unknown keys in the section and ignores other sections silently", () => {
    const file = box.write(
      "home/.config/dask/jobqueue.yaml",
      "distributed:\n  worker:\n    memory: {target: 0.6}\njobqueue:\n  pbs:\n    cores: 99\n    foo: 1\n  slurm:\n    cores: 4\n    foo: bar\n",
    );
    const config = load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__BAR: "1", DASK_JOBQUEUE__PBS__BAZ: "2" } });
    expect(config.values["cores"]).toBe(4);
    expect(config.warnings).toEqual([
      `${file}: jobqueue.slurm.foo: unknown key, ignored`,
      "env DASK_JOBQUEUE__SLURM__BAR: jobqueue.slurm.bar: unknown key, ignored",
    ]);
  });

  it("warns about a section-level env variable without a key", () => {
    const config = load({ env: { ...box.env, DASK_JOBQUEUE__SLURM: "{'cores': 4}" } });
    expect(config.warnings).toEqual([
      "env DASK_JOBQUEUE__SLURM: jobqueue.slurm: expected DASK_JOBQUEUE__SLURM__<KEY>, ignored",
    ]);
  });

  it("rejects an unknown option", () => {
    const error = configError(() => load({ options: { cors: 4 } }));
    expect(error.message).toBe("[daskq:config] option cors: jobqueue.slurm.cors: unknown option");
  });

  it("reads a named section, like dask-jobqueue's config_name", () => {
    box.write(
      "home/.config/dask/jobqueue.yaml",
      "jobqueue:\n  slurm:\n    cores: 4\n    queue: normal\n  mycluster:\n    cores: 32\n    memory: 128GB\n    foo: 1\n",
    );
    const config = load({ section: "mycluster", env: { ...box.env, DASK_JOBQUEUE__MYCLUSTER__QUEUE: "gpu" } });
    expect(config.section).toBe("mycluster");
    expect(config.values).toMatchObject({ cores: 32, memory: 128e9, queue: "gpu" });
    expect(config.warnings).toEqual([`${join(box.userDask, "jobqueue.yaml")}: jobqueue.mycluster.foo: unknown key, ignored`]);
  });

  it("treats an empty jobqueue or section as absent", () => {
    box.write("home/.config/dask/a.yaml", "jobqueue:\n");
    box.write("home/.config/dask/b.yaml", "jobqueue:\n  slurm:\n");
    expect(load().values["name"]).toBe("dask-worker");
  });
});

describe("loadConfig: values by kind", () => {
  it("parses every kind from YAML", () => {
    box.write(
      "home/.config/dask/jobqueue.yaml",
      [
        "jobqueue:",
        "  slurm:",
        "    cores: 8",
        "    memory: 16GiB",
        "    job-mem: 1e9",
        "    queue: 123",
        "    death-timeout: 2.5",
        "    nanny: no",
        "    walltime: 1-00:00:00",
        "    worker-extra-args: --lifetime=1h",
        "    env: {OMP_NUM_THREADS: 1}",
        "",
      ].join("\n"),
    );
    expect(load().values).toMatchObject({
      cores: 8,
      memory: 2 ** 34,
      "job-mem": 1e9,
      queue: "123",
      "death-timeout": 2.5,
      nanny: false,
      walltime: 86_400,
      "worker-extra-args": ["--lifetime=1h"],
      env: { OMP_NUM_THREADS: 1 },
    });
  });

  it("parses env values after Python-literal interpretation", () => {
    const config = load({
      env: {
        ...box.env,
        DASK_JOBQUEUE__SLURM__CORES: "8",
        DASK_JOBQUEUE__SLURM__NANNY: "False",
        DASK_JOBQUEUE__SLURM__WALLTIME: "02:00:00",
        DASK_JOBQUEUE__SLURM__JOB_EXTRA_DIRECTIVES: "['--exclusive', '--gres=gpu:1']",
        DASK_JOBQUEUE__SLURM__SCHEDULER_OPTIONS: "{'dashboard_address': ':8787'}",
        DASK_JOBQUEUE__SLURM__SHEBANG: "#!/bin/bash",
      },
    });
    expect(config.values).toMatchObject({
      cores: 8,
      nanny: false,
      walltime: 7200,
      "job-extra-directives": ["--exclusive", "--gres=gpu:1"],
      "scheduler-options": { dashboard_address: ":8787" },
      shebang: "#!/bin/bash",
    });
  });

  it("accepts option values as text, as a CLI gives them", () => {
    const config = load({ options: { cores: "4", memory: "4 GB", walltime: "90m", nanny: "false", deathTimeout: "15" } });
    expect(config.values).toMatchObject({ cores: 4, memory: 4e9, walltime: 5400, nanny: false, "death-timeout": 15 });
  });

  it("reads a bare number walltime as the batch system would (minutes unless the backend says seconds)", () => {
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    walltime: 60\n");
    expect(load().values["walltime"]).toBe(3600);
    expect(load({ walltimeBareUnit: "seconds" }).values["walltime"]).toBe(60);
    expect(load().warnings).toEqual([]);
  });
});

describe("loadConfig: errors name the source, the key path and the expected form", () => {
  const yaml = (body: string): string => `jobqueue:\n  slurm:\n    ${body}\n`;

  it("bad bytes in a file", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", yaml("memory: 16 GX"));
    const error = configError(() => load());
    expect(error.source).toBe(file);
    expect(error.keyPath).toBe("jobqueue.slurm.memory");
    expect(error.message).toContain(`[daskq:config] ${file}: jobqueue.slurm.memory: invalid size "16 GX": unknown unit "GX"`);
    expect(error.message).toContain("e.g. 16GB or 16GiB");
  });

  it("bad bytes of the wrong type", () => {
    box.write("home/.config/dask/jobqueue.yaml", yaml("job-mem: [1GB]"));
    expect(configError(() => load()).message).toMatch(/jobqueue\.slurm\.job-mem: invalid value \["1GB"\]: expected a size, e\.g\. 16GB/);
  });

  it("bad walltime in env", () => {
    const error = configError(() => load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__WALLTIME: "01:75:00" } }));
    expect(error.message).toContain("[daskq:config] env DASK_JOBQUEUE__SLURM__WALLTIME: jobqueue.slurm.walltime:");
    expect(error.message).toContain("minutes must be below 60; expected HH:MM:SS (e.g. 01:30:00)");
  });

  it("bad walltime in an option, with the backend's two-part form in the hint", () => {
    const error = configError(() => load({ options: { walltime: "soon" }, walltimeTwoPart: "minutes:seconds" }));
    expect(error.message).toContain('[daskq:config] option walltime: jobqueue.slurm.walltime: invalid walltime "soon"');
    expect(error.message).toContain("MM:SS (e.g. 90:00)");
  });

  it("bad integer", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", yaml("cores: 4.5"));
    expect(configError(() => load()).message).toBe(
      `[daskq:config] ${file}: jobqueue.slurm.cores: invalid value 4.5: expected a whole number >= 0, e.g. 4`,
    );
    box.write(file, yaml("cores: 4"));
    expect(configError(() => load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__CORES: "-2" } })).message).toBe(
      "[daskq:config] env DASK_JOBQUEUE__SLURM__CORES: jobqueue.slurm.cores: invalid value -2: expected a whole number >= 0, e.g. 4",
    );
    expect(configError(() => load({ options: { jobCpu: "two" } })).message).toBe(
      '[daskq:config] option jobCpu: jobqueue.slurm.job-cpu: invalid value "two": expected a whole number >= 0, e.g. 4',
    );
  });

  it("bad number and boolean", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", yaml("death-timeout: soon"));
    expect(configError(() => load()).message).toMatch(/jobqueue\.slurm\.death-timeout: invalid value "soon": expected a number >= 0, e.g\. 60/);
    box.write(file, yaml("death-timeout: 5"));
    expect(configError(() => load({ options: { nanny: "maybe" } })).message).toMatch(
      /option nanny: jobqueue\.slurm\.nanny: invalid value "maybe": expected true or false/,
    );
  });

  it("bad string", () => {
    box.write("home/.config/dask/jobqueue.yaml", yaml("queue: {a: 1}"));
    expect(configError(() => load()).message).toMatch(/jobqueue\.slurm\.queue: invalid value \{"a":1\}: expected a string, e\.g\. normal/);
  });

  it("bad list", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", yaml("job-extra-directives: [--exclusive, {a: 1}]"));
    expect(configError(() => load()).message).toBe(
      `[daskq:config] ${file}: jobqueue.slurm.job-extra-directives: invalid value ["--exclusive",{"a":1}]: ` +
        "item 2 is not a string; expected a list of strings, e.g. [--exclusive, --gres=gpu:1] (in env: ['--exclusive'])",
    );
  });

  it("bad map", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", yaml("scheduler-options: [a, b]"));
    const error = configError(() => load());
    expect(error.message).toContain(`${file}: jobqueue.slurm.scheduler-options: invalid value ["a","b"]: expected a mapping, e.g.`);
    box.write(file, yaml("scheduler-options: {}"));
    expect(configError(() => load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__ENV: "A=1" } })).message).toContain(
      'env DASK_JOBQUEUE__SLURM__ENV: jobqueue.slurm.env: invalid value "A=1": expected a mapping',
    );
  });

  it("nested env keys under a key that is not a mapping", () => {
    expect(configError(() => load({ env: { ...box.env, DASK_JOBQUEUE__SLURM__CORES__X: "1" } })).message).toBe(
      "[daskq:config] env DASK_JOBQUEUE__SLURM__CORES__X: jobqueue.slurm.cores.x: cores is not a mapping, so it has no nested keys; " +
        "use DASK_JOBQUEUE__SLURM__CORES",
    );
  });

  it("a jobqueue or section that is not a mapping", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm: [cores]\n");
    expect(configError(() => load()).message).toBe(`[daskq:config] ${file}: jobqueue.slurm: expected a mapping of keys, e.g. cores: 4`);
    box.write("home/.config/dask/jobqueue.yaml", "jobqueue: slurm\n");
    expect(configError(() => load()).message).toBe(`[daskq:config] ${file}: jobqueue: expected a mapping of sections, e.g. slurm:`);
  });

  it("a YAML syntax error, with the file and line", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    cores: 4\n   memory: 16GB\n");
    const error = configError(() => load());
    expect(error.source).toBe(file);
    expect(error.message).toMatch(new RegExp(`^\\[daskq:config\\] ${file.replaceAll("/", "\\/")}: YAML syntax error: .* at line 4, column \\d+`));
  });

  it("only validates the winning value", () => {
    box.write("etc/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    memory: lots\n");
    expect(load({ options: { memory: "1GB" } }).values["memory"]).toBe(1e9);
  });
});
