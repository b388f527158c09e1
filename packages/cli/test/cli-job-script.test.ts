/** `daskq job-script` prints the golden header of every batch-system backend (no service needed). */
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { DASKQ_BIN as bin, ROOT as root } from "./daskq-process.js";

const env = { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent-daskq-home" };
// The reference example: cores=8, memory=16GB, walltime 1h, queue q, account/project p.
const reference = ["--cores", "8", "--memory", "16GB", "--walltime", "01:00:00", "--queue", "q", "--account", "p", "--python", "/usr/bin/python3"];

const GOLDEN: Record<string, string[]> = {
  pbs: [
    "#PBS -N dask-worker",
    "#PBS -q q",
    "#PBS -A p",
    "#PBS -l select=1:ncpus=8:mem=15GB",
    "#PBS -l walltime=01:00:00",
  ],
  sge: [
    "#$ -N dask-worker",
    "#$ -q q",
    "#$ -P p",
    "#$ -pe smp 8",
    "#$ -l h_vmem=1908M",
    "#$ -l h_rt=01:00:00",
    "#$ -cwd",
    "#$ -j y",
  ],
  lsf: [
    "#BSUB -J dask-worker",
    "#BSUB -q q",
    '#BSUB -P "p"',
    "#BSUB -n 8",
    '#BSUB -R "span[hosts=1]"',
    "#BSUB -M 16000000",
    "#BSUB -W 01:00",
  ],
};

describe("daskq job-script golden headers", () => {
  for (const [backend, header] of Object.entries(GOLDEN)) {
    it(`--backend ${backend}`, async () => {
      const extra = backend === "pbs" ? ["--set", "flavour=pro"] : backend === "lsf" ? ["--set", "lsf-units=KB"] : [];
      const result = await execa("node", [bin, "job-script", "--backend", backend, ...reference, ...extra], { cwd: root, env, extendEnv: false, reject: false });
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
      const lines = result.stdout.split("\n");
      expect(lines[0]).toBe("#!/usr/bin/env bash");
      expect(lines.filter((l) => l.startsWith("#") && !l.startsWith("#!"))).toEqual(header);
      expect(result.stdout).toContain("/usr/bin/python3 -m distributed.cli.dask_worker tcp://SCHEDULER-ADDRESS:8786 --name dask-worker-0 --nthreads 2 --memory-limit 4000000000 --nworkers 4 --nanny --death-timeout 60");
    });
  }
});
