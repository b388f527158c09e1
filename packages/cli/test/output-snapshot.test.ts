/**
 * What the CLI prints, pinned byte for byte: `--help` of every command, `daskq backends`, `daskq config`
 * and `daskq job-script` of every backend (and PBS flavour) for a table of settings from options, env and
 * a jobqueue.yaml, bad values included. Refactors must leave every file under snapshots/ unchanged; a
 * change of output on purpose updates them (`npx vitest run -u packages/cli/test/output-snapshot.test.ts`)
 * and says so in its commit. No service is needed: no batch command is run.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./daskq-process.js";

const HERE = `${ROOT}packages/cli/test/output-snapshot/`;
const MAIN = `${ROOT}packages/cli/dist/main.js`;
const BASE_ENV = { PATH: "/usr/bin:/bin", HOME: "/nonexistent-daskq-home" };

interface Case {
  readonly file: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Each backend (PBS once per flavour) with the settings it needs to render without a service. */
const BACKENDS: Record<string, readonly string[]> = {
  local: ["--backend", "local"],
  slurm: ["--backend", "slurm"],
  slurmrest: ["--backend", "slurmrest", "--set", "url=http://slurmrest.example.org:6820"],
  sge: ["--backend", "sge"],
  drmaa: ["--backend", "drmaa"],
  "pbs-pro": ["--backend", "pbs", "--set", "flavour=pro"],
  "pbs-torque": ["--backend", "pbs", "--set", "flavour=torque"],
  "pbs-moab": ["--backend", "pbs", "--set", "flavour=moab"],
  lsf: ["--backend", "lsf"],
  marathon: ["--backend", "marathon", "--set", "url=http://marathon.example.org:8080"],
  unicore: ["--backend", "unicore", "--set", "url=https://gateway.example.org:8080/SITE/rest/core"],
};

/** Settings given as options (and a few as env), each applied to every backend. */
const SETTINGS: Record<string, { argv: readonly string[]; env?: Record<string, string> }> = {
  minimal: { argv: ["--cores", "1", "--memory", "2GB"] },
  reference: {
    argv: ["--cores", "8", "--memory", "16GB", "--walltime", "01:00:00", "--queue", "q", "--account", "p", "--python", "/usr/bin/python3"],
  },
  rich: {
    argv: [
      "--cores", "6", "--memory", "7GiB", "--processes", "3", "--walltime", "90m", "--queue", "long",
      "--job-extra-directive=--extra-one", "--job-extra-directive=-l extra=two",
      "--worker-extra-arg=--resources", "--worker-extra-arg=GPU=1",
      "--set", 'job-script-prologue=["module load python", "export OMP_NUM_THREADS=1"]',
      "--set", "local-directory=$TMPDIR", "--interface", "ib0", "--set", "death-timeout=120",
      "--set", "name=analysis", "--set", "nanny=false", "--lifetime-margin", "0",
      "--scheduler-address", "tcp://10.0.0.1:8786",
    ],
  },
  "skip-and-env": {
    argv: ["--set", "job-directives-skip=[\"-J\", \"-N\", \"--job-name\"]", "--no-tls"],
    env: { DASK_JOBQUEUE__SLURM__CORES: "3", DASK_JOBQUEUE__LOCAL__CORES: "3", DASK_JOBQUEUE__SGE__CORES: "3", DASK_JOBQUEUE__DRMAA__CORES: "3", DASK_JOBQUEUE__PBS__CORES: "3", DASK_JOBQUEUE__LSF__CORES: "3", DASK_JOBQUEUE__MARATHON__CORES: "3", DASK_JOBQUEUE__UNICORE__CORES: "3", DASK_JOBQUEUE__SLURMREST__CORES: "3", DASK_JOBQUEUE__SLURM__MEMORY: "5GB", DASK_JOBQUEUE__LOCAL__MEMORY: "5GB", DASK_JOBQUEUE__SGE__MEMORY: "5GB", DASK_JOBQUEUE__DRMAA__MEMORY: "5GB", DASK_JOBQUEUE__PBS__MEMORY: "5GB", DASK_JOBQUEUE__LSF__MEMORY: "5GB", DASK_JOBQUEUE__MARATHON__MEMORY: "5GB", DASK_JOBQUEUE__UNICORE__MEMORY: "5GB", DASK_JOBQUEUE__SLURMREST__MEMORY: "5GB" },
  },
  "bad-memory": { argv: ["--cores", "2", "--memory", "16XB"] },
  "bad-cores": { argv: ["--cores", "two", "--memory", "1GB"] },
  "injection": { argv: ["--cores", "1", "--memory", "1GB", "--queue", "q; rm -rf /", "--set", "name=a$(id)b"] },
};

const COMMANDS = ["up", "run", "logs", "job-script", "config", "backends", "ls", "cleanup"];

function cases(config: string): Case[] {
  const all: Case[] = [
    { file: "help/main.txt", argv: ["--help"] },
    { file: "help/none.txt", argv: [] },
    { file: "help/unknown.txt", argv: ["frobnicate"] },
    { file: "backends.txt", argv: ["backends"] },
    { file: "backends-json.txt", argv: ["backends", "--json"] },
    ...COMMANDS.map((command) => ({ file: `help/${command}.txt`, argv: [command, "--help"] })),
  ];
  for (const [backend, select] of Object.entries(BACKENDS)) {
    for (const [name, setting] of Object.entries(SETTINGS)) {
      // KNOWN DEFECT: a Marathon preview that gets past the config checks closes its backend, which
      // sends DELETE /v2/apps/<new cluster id> to Marathon: no stable output to pin until it no longer does.
      if (backend === "marathon" && !name.startsWith("bad-")) continue;
      all.push({ file: `job-script/${backend}/${name}.txt`, argv: ["job-script", ...select, ...setting.argv], env: setting.env });
    }
    all.push({ file: `config/${backend}.txt`, argv: ["config", ...select, ...SETTINGS["reference"]!.argv] });
    all.push({ file: `config/${backend}-json.txt`, argv: ["config", ...select, "--cores", "2", "--memory", "3GB", "--json"] });
    if (backend !== "marathon") all.push({ file: `job-script/${backend}/yaml.txt`, argv: ["job-script", "--backend", select[1]!], env: { DASK_CONFIG: config } });
    all.push({ file: `config/${backend}-yaml.txt`, argv: ["config", "--backend", select[1]!], env: { DASK_CONFIG: config } });
  }
  all.push({ file: "job-script/pbs-torque/yaml-section.txt", argv: ["job-script", "--backend", "pbs", "--config-name", "pbs-torque"], env: { DASK_CONFIG: config } });
  all.push({ file: "job-script/pools.txt", argv: ["job-script", "--pools", `${HERE}pools.yaml`] });
  all.push({ file: "config/pools.txt", argv: ["config", "--pools", `${HERE}pools.yaml`] });
  return all;
}

const work = mkdtempSync(join(tmpdir(), "daskq-output-snapshot-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The printed text with the paths of this checkout and of the temp dir made stable. */
function stable(text: string): string {
  return text.replaceAll(ROOT, "<repo>/").replaceAll(work, "<tmp>");
}

describe("daskq output, byte for byte", async () => {
  const config = join(work, "jobqueue.yaml");
  writeFileSync(config, await import("node:fs/promises").then((fs) => fs.readFile(`${HERE}jobqueue.yaml`, "utf8")));
  const table = cases(config);
  const input = join(work, "cases.json");
  writeFileSync(input, JSON.stringify(table.map((c) => ({ argv: c.argv, env: { ...BASE_ENV, ...c.env } }))));
  const rendered = await execa("node", [`${HERE}render-outputs.mjs`, input, MAIN], { cwd: ROOT, env: BASE_ENV, extendEnv: false });
  const results = JSON.parse(rendered.stdout) as { code: number | string; stdout: string; stderr: string }[];

  it("renders every case", () => {
    expect(results).toHaveLength(table.length);
  });
  table.forEach((c, i) => {
    it(c.file, async () => {
      const r = results[i]!;
      const text = `$ daskq ${c.argv.map((a) => stable(a)).join(" ")}\nexit ${r.code}\n--- stdout\n${stable(r.stdout)}\n--- stderr\n${stable(r.stderr)}\n`;
      await expect(text).toMatchFileSnapshot(`output-snapshot/snapshots/${c.file}`);
    });
  });
});
