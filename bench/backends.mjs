/**
 * The batch systems `bench/scale-up.mjs` can measure: one entry per backend. Adding a backend is
 * adding an entry. The benchmark itself only uses the backend contract of `@daskq/core`.
 *
 * Fields:
 * - `package`, `descriptor`: the BUILT package and the name of its exported `BackendDescriptor`.
 * - `probe`: a command that exits 0 (and prints `expect`, if given) when the batch system is up.
 * - `howToStart`: shown when the probe fails.
 * - `version`: a command that prints the batch system's version, for the report.
 * - `commands`: the names of its submit / status / cancel commands, as CountingRunner records them.
 * - `job`: job options shared by every run (python must have distributed on the compute nodes).
 * - `runQueue`: a queue where jobs start at once (the worker-registration runs).
 * - `hold`: job options that keep jobs queued forever (the submission-only runs, so hundreds of
 *   jobs never start on the test machine): a DOWN partition, or a user hold.
 * - `arraysOff`: the job options that make the cluster submit one job at a time (no arrays).
 */
export const BACKENDS = {
  slurm: {
    package: "@daskq/backend-slurm",
    descriptor: "slurmBackend",
    probe: { command: "scontrol", args: ["ping"], expect: /is UP/ },
    howToStart: "bash packages/testing/testbed/slurm.sh",
    version: { command: "sinfo", args: ["-V"] },
    commands: { submit: "sbatch", status: "squeue", cancel: "scancel" },
    job: { cores: 1, memory: "100MB", walltime: "00:10:00", python: "/usr/bin/python3" },
    runQueue: "debug",
    hold: { queue: "down" },
    arraysOff: { arrays: false },
  },
  sge: {
    package: "@daskq/backend-sge",
    descriptor: "sgeBackend",
    probe: { command: "qconf", args: ["-sql"], expect: /all\.q/ },
    howToStart: "bash packages/testing/testbed/sge.sh",
    version: { command: "qstat", args: ["-help"] },
    commands: { submit: "qsub", status: "qstat", cancel: "qdel" },
    // h_vmem limits VIRTUAL memory: a Dask worker needs about 1 GiB of address space.
    job: { cores: 1, memory: "1GiB", walltime: "00:10:00", python: "/usr/bin/python3" },
    runQueue: "all.q",
    // SGE has no DOWN queue in the testbed: a user hold (qsub -h) keeps jobs in hqw.
    hold: { queue: "all.q", "job-extra-directives": ["-h"] },
    arraysOff: { arrays: false },
  },
};
