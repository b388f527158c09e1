import { readDirectives, renderSlurmHeader } from "@daskq/backend-slurm";
import { ConfigError } from "@daskq/core";
import { testJobSpec } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { jobProperties, parseMegabytes, parseMinutes } from "../src/sbatch-options.js";

const props = (...lines: string[]) => jobProperties(readDirectives(lines.map((l) => `#SBATCH ${l}`).join("\n")));

describe("jobProperties: #SBATCH lines as slurmrestd job properties", () => {
  it("translates backend-slurm's own header for the dask-jobqueue example", () => {
    const spec = testJobSpec({ cores: 8, memory: 16e9, walltime: 3600, queue: "q", account: "p", logDirectory: "/scratch/logs" });
    const header = renderSlurmHeader(spec, { jobName: "dask-worker", outputDirectory: "/scratch/logs" });
    expect(jobProperties(readDirectives(header.join("\n")))).toEqual({
      name: "dask-worker",
      partition: "q",
      account: "p",
      tasks: 1,
      nodes: [1, 1],
      cpus_per_task: 8,
      memory_per_node: 15 * 1024,
      time_limit: 60,
      standard_output: "/scratch/logs/%x-%A_%a.out",
    });
  });

  it("reads every spelling sbatch accepts, and the last one wins", () => {
    expect(props("-Jone", "--job-name two", "--job-name=three")).toEqual({ name: "three" });
    expect(props("-c 2", "--cpus-per-task=4")).toEqual({ cpus_per_task: 4 });
    expect(props('-A "my proj#1"')).toEqual({ account: "my proj#1" });
  });

  it("translates the extra directives users write", () => {
    expect(props("--exclusive", "--gres=gpu:2", "-q high", "-C 'haswell&ib'", "--mem-per-cpu=2G", "--no-requeue", "--nice", "-N 2-4", "--time-min=30")).toEqual({
      exclusive: "true",
      gres: "gpu:2",
      qos: "high",
      constraints: "haswell&ib",
      memory_per_cpu: 2048,
      requeue: false,
      nice: 100,
      nodes: [2, 4],
      time_minimum: 30,
    });
    expect(props("--exclusive=user", "--nice=-5", "-D /work", "-e /tmp/e.err")).toEqual({
      exclusive: "user",
      nice: -5,
      current_working_directory: "/work",
      standard_error: "/tmp/e.err",
    });
  });

  it("refuses what it cannot send, naming job-extra-directives and the option", () => {
    const refused = (line: string) => () => props(line);
    expect(refused("--export=ALL")).toThrow(ConfigError);
    expect(refused("--export=ALL")).toThrow(/job-extra-directives: #SBATCH --export=ALL cannot be sent to slurmrestd: it is not an option/);
    expect(refused("-x node1")).toThrow(/#SBATCH -x cannot be sent/);
    expect(refused("-J")).toThrow(/-J cannot be sent to slurmrestd: it needs a value/);
    expect(refused("--hold=1")).toThrow(/--hold cannot be sent to slurmrestd: it takes no value/);
    expect(refused("--mem=lots")).toThrow(/expected a size such as 15G/);
    expect(refused("-t forever")).toThrow(/expected a time such as 01:00:00/);
    expect(refused("--exclusive=maybe")).toThrow(/--exclusive=user or --exclusive=mcs/);
    expect(refused("-n two")).toThrow(/expected a non-negative integer, got "two"/);
  });
});

describe("units", () => {
  it("sizes in whole MB, 1024-based, rounded up; MB without a unit", () => {
    expect([parseMegabytes("15G"), parseMegabytes("477M"), parseMegabytes("2048"), parseMegabytes("1500K"), parseMegabytes("1T"), parseMegabytes("1.5G")]).toEqual([
      15360, 477, 2048, 2, 1048576, 1536,
    ]);
  });

  it("times in whole minutes, rounded up, in every sbatch format", () => {
    expect(["30", "30:01", "01:00:00", "1-0", "1-01:30", "2-00:00:01", "00:00:30"].map((t) => parseMinutes(t))).toEqual([30, 31, 60, 1440, 1530, 2881, 1]);
  });
});
