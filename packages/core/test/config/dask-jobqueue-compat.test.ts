import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigKey } from "../../src/config/config-key.js";
import { resolveJobSpec } from "../../src/config/job-spec-from-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { SHARED_KEYS } from "../../src/config/shared-keys.js";
import { sandbox, type Sandbox } from "./helpers.js";

/**
 * One section of the `jobqueue.yaml` dask-jobqueue shipped before 0.8: the same worker options in
 * every batch system, then its resource manager options (`label`), whose walltime and own keys
 * (the lines after `env-extra`, "" for a blank line) differ.
 */
interface ShippedSection {
  readonly section: string;
  readonly label: string;
  readonly walltime: string;
  readonly ownLines: readonly string[];
}

/** The batch systems of the shipped file, in its order. */
const SHIPPED_SECTIONS: readonly ShippedSection[] = [
  { section: "oar", label: "OAR", walltime: "00:30:00", ownLines: ["resource-spec: null", "job-extra: []", "log-directory: null"] },
  { section: "pbs", label: "PBS", walltime: "00:30:00", ownLines: ["resource-spec: null", "job-extra: []", "log-directory: null"] },
  { section: "sge", label: "SGE", walltime: "00:30:00", ownLines: ["job-extra: []", "log-directory: null", "", "resource-spec: null"] },
  { section: "slurm", label: "SLURM", walltime: "00:30:00", ownLines: ["job-cpu: null", "job-mem: null", "job-extra: []", "log-directory: null"] },
  { section: "moab", label: "Moab", walltime: "00:30:00", ownLines: ["resource-spec: null", "job-extra: []", "log-directory: null"] },
  {
    section: "lsf",
    label: "LSF",
    walltime: "00:30",
    ownLines: [
      "ncpus: null",
      "mem: null",
      "job-extra: []",
      "log-directory: null",
      "lsf-units: null",
      "use-stdin: True             # (bool) How jobs are launched, i.e. 'bsub jobscript.sh' or 'bsub < jobscript.sh'",
    ],
  },
];

function shippedSection({ section, label, walltime, ownLines }: ShippedSection): string {
  const lines = [
    `${section}:`,
    "name: dask-worker",
    "",
    "# Dask worker options",
    "cores: null                 # Total number of cores per job",
    "memory: null                # Total amount of memory per job",
    "processes: 1                # Number of Python processes per job",
    "",
    "interface: null             # Network interface to use like eth0 or ib0",
    "death-timeout: 60           # Number of seconds to wait if a worker can not find a scheduler",
    "local-directory: null       # Location of fast local storage like /scratch or $TMPDIR",
    "extra: []                   # Additional arguments to pass to `dask-worker`",
    "",
    `# ${label} resource manager options`,
    'shebang: "#!/usr/bin/env bash"',
    "queue: null",
    "project: null",
    `walltime: '${walltime}'`,
    "env-extra: []",
    ...ownLines,
    "",
    "# Scheduler options",
    "scheduler-options: {}",
  ];
  return lines.map((line, i) => (line === "" ? "" : i === 0 ? `  ${line}` : `    ${line}`)).join("\n") + "\n\n";
}

/**
 * A named section laid out like the current release's sections (new names, with `null`
 * placeholders under the deprecated ones), as its docs describe for `config_name`.
 */
const NAMED_SECTION = `  mycluster:
    name: dask-worker

    # Dask worker options
    cores: null                 # Total number of cores per job
    memory: null                # Total amount of memory per job
    processes: null             # Number of Python processes per job

    python: null                # Python executable
    interface: null             # Network interface to use like eth0 or ib0
    death-timeout: 60           # Number of seconds to wait if a worker can not find a scheduler
    local-directory: null       # Location of fast local storage like /scratch or $TMPDIR
    shared-temp-directory: null       # Shared directory currently used to dump temporary security objects for workers
    extra: null                 # deprecated: use worker-extra-args
    worker-command: "distributed.cli.dask_worker" # Command to launch a worker
    worker-extra-args: []       # Additional arguments to pass to \`dask-worker\`

    # SLURM resource manager options
    shebang: "#!/usr/bin/env bash"
    queue: null
    account: null
    walltime: '00:30:00'
    env-extra: null
    job-script-prologue: []
    job-script-epilogue: []
    job-cpu: null
    job-mem: null
    job-extra: null
    job-extra-directives: []
    job-directives-skip: []
    log-directory: null

    # Scheduler options
    scheduler-options: {}
`;

/**
 * A `jobqueue.yaml` laid out the way dask-jobqueue ships it (and copies it to ~/.config/dask on import):
 * every batch system with the pre-0.8 names, plus the named section.
 */
const SHIPPED = `jobqueue:\n${SHIPPED_SECTIONS.map(shippedSection).join("")}${NAMED_SECTION}`;

const key = (name: string, kind: ConfigKey["kind"]): ConfigKey => ({ name, kind, description: name });
/** The backend keys each section of the shipped file has beyond the shared ones. */
const BACKEND_KEYS: Readonly<Record<string, readonly ConfigKey[]>> = {
  oar: [key("resource-spec", "string")],
  pbs: [key("resource-spec", "string")],
  sge: [key("resource-spec", "string")],
  moab: [key("resource-spec", "string")],
  slurm: [key("job-cpu", "integer"), key("job-mem", "bytes")],
  mycluster: [key("job-cpu", "integer"), key("job-mem", "bytes")],
  lsf: [key("ncpus", "integer"), key("mem", "bytes"), key("lsf-units", "string"), key("use-stdin", "boolean")],
};

let box: Sandbox;
let shipped: string;
beforeEach(() => {
  box = sandbox();
  shipped = box.write(join(box.userDask, "jobqueue.yaml"), SHIPPED);
});
afterEach(() => box.cleanup());

function load(section: string, walltimeTwoPart?: "hours:minutes" | "minutes:seconds") {
  return loadConfig({
    section,
    keys: [...SHARED_KEYS, ...(BACKEND_KEYS[section] ?? [])],
    env: box.env,
    homeDir: box.home,
    walltimeTwoPart,
  });
}

describe("the jobqueue.yaml dask-jobqueue ships", () => {
  it.each(Object.keys(BACKEND_KEYS))("loads section %s without errors or warnings", (section) => {
    const config = load(section);
    expect(config.warnings).toEqual([]);
    expect(config.files).toEqual([shipped]);
    expect(config.values).toMatchObject({ name: "dask-worker", "death-timeout": 60, walltime: 1800 });
    expect(config.values).not.toHaveProperty("cores");
    expect(config.values).not.toHaveProperty("memory");
    expect(config.values).not.toHaveProperty("account");
  });

  it("reads each section's own values: lsf's use-stdin, slurm's processes, none for the named section", () => {
    expect(load("lsf").values["use-stdin"]).toBe(true);
    expect(load("slurm").values["processes"]).toBe(1);
    expect(load("mycluster").values).not.toHaveProperty("processes");
  });

  it("resolves slurm with a user override file written with old and new names", () => {
    const user = box.write(
      join(box.userDask, "user.yaml"),
      `jobqueue:
  slurm:
    cores: 24
    memory: 100GB
    processes: 4
    queue: compute
    walltime: '02:00:00'
    job-mem: 90GB
    job-extra: ['--exclusive']
    env-extra:
      - module load python/3.11
    local_directory: $TMPDIR
    scheduler-options:
      dashboard_address: ':8788'
`,
    );
    const config = load("slurm", "minutes:seconds");
    expect(config.files).toEqual([shipped, user]);
    expect(config.warnings).toEqual([
      `${user}: jobqueue.slurm.job-extra: deprecated name, use job-extra-directives`,
      `${user}: jobqueue.slurm.env-extra: deprecated name, use job-script-prologue`,
    ]);
    const spec = resolveJobSpec(config, { python: "/usr/bin/python3" });
    expect(spec).toMatchObject({
      jobName: "dask-worker",
      cores: 24,
      memory: 100e9,
      processes: 4,
      python: "/usr/bin/python3",
      deathTimeout: 60,
      localDirectory: "$TMPDIR",
      walltime: 7200,
      queue: "compute",
      account: undefined,
      extraDirectives: ["--exclusive"],
      prologue: ["module load python/3.11"],
      workerExtraArgs: [],
      shebang: "#!/usr/bin/env bash",
      backendOptions: { "job-mem": 90e9 },
    });
    expect(config.values["scheduler-options"]).toEqual({ dashboard_address: ":8788" });
    expect(config.sources["cores"]).toEqual({ kind: "file", detail: user });
    expect(config.sources["death-timeout"]).toEqual({ kind: "file", detail: shipped });
  });

  it("resolves pbs with project and resource-spec from the user file", () => {
    const user = box.write(
      join(box.userDask, "user.yaml"),
      "jobqueue:\n  pbs:\n    cores: 36\n    memory: 180GiB\n    project: P12345\n    resource-spec: select=1:ncpus=36:mem=180gb\n",
    );
    const config = load("pbs");
    expect(config.values).toMatchObject({ account: "P12345", "resource-spec": "select=1:ncpus=36:mem=180gb" });
    expect(config.warnings).toEqual([`${user}: jobqueue.pbs.project: deprecated name, use account`]);
    expect(resolveJobSpec(config, { python: "python3" })).toMatchObject({ cores: 36, memory: 180 * 2 ** 30, processes: 1 });
  });

  it("reads LSF's two-part walltime as hours:minutes", () => {
    expect(load("lsf", "hours:minutes").values["walltime"]).toBe(1800);
  });

  it("resolves the newer-style named section with the processes rule and new names", () => {
    box.write(
      join(box.userDask, "user.yaml"),
      `jobqueue:
  mycluster:
    cores: 16
    memory: 64GiB
    account: myproj
    worker-extra-args: ['--lifetime', '55m', '--lifetime-stagger', '4m']
    job-script-prologue: ['module load python', 'source activate dask']
    job-extra-directives: ['--qos=high']
    job-directives-skip: ['--mem']
    scheduler-options: {dashboard_address: ':8787', protocol: tcp}
`,
    );
    const config = load("mycluster");
    expect(config.warnings).toEqual([]);
    expect(resolveJobSpec(config, { python: "python3" })).toMatchObject({
      cores: 16,
      memory: 2 ** 36,
      processes: 4,
      account: "myproj",
      workerExtraArgs: ["--lifetime", "55m", "--lifetime-stagger", "4m"],
      prologue: ["module load python", "source activate dask"],
      extraDirectives: ["--qos=high"],
      directivesSkip: ["--mem"],
      workerCommand: "distributed.cli.dask_worker",
    });
    expect(config.values["scheduler-options"]).toEqual({ dashboard_address: ":8787", protocol: "tcp" });
  });

  it("is overridden by DASK_JOBQUEUE__ variables as dask-jobqueue users set them", () => {
    const config = load("slurm");
    const env = {
      ...box.env,
      DASK_JOBQUEUE__SLURM__CORES: "8",
      DASK_JOBQUEUE__SLURM__MEMORY: "32GB",
      DASK_JOBQUEUE__SLURM__JOB_EXTRA: "['--exclusive']",
    };
    const withEnv = loadConfig({ section: "slurm", keys: config.keys, env, homeDir: box.home });
    expect(withEnv.values).toMatchObject({ cores: 8, memory: 32e9, "job-extra-directives": ["--exclusive"] });
    expect(withEnv.sources["memory"]).toEqual({ kind: "env", detail: "DASK_JOBQUEUE__SLURM__MEMORY" });
  });
});
