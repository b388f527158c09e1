import type { JobSpec } from "@daskq/core";

import { testJobSpec } from "@daskq/testing";

export { FakeRunner, scriptRequest, type RecordedCall } from "@daskq/testing";

/** The `jobqueue.sge` defaults the config loader puts into `backendOptions`. */
export const SGE_DEFAULT_OPTIONS = { "parallel-environment": "smp", "memory-resource": "h_vmem", arrays: true } as const;

/**
 * A resolved JobSpec like the config loader would make for `jobqueue.sge`: cores 8, memory 16GB,
 * 1 h, queue q, project p. `backendOptions` overrides are merged over the loader's defaults.
 */
export function makeSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return testJobSpec({
    ...overrides,
    backendOptions: { ...SGE_DEFAULT_OPTIONS, ...overrides.backendOptions },
  });
}

/** qstat -xml as SGE 8.1.9 prints it, around the given `<job_list>` entries. */
export function qstatXml(running: readonly string[], pending: readonly string[]): string {
  return [
    "<?xml version='1.0'?>",
    '<job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd">',
    "  <queue_info>",
    ...running,
    "  </queue_info>",
    "  <job_info>",
    ...pending,
    "  </job_info>",
    "</job_info>",
    "",
  ].join("\n");
}

/** One `<job_list>` entry; `tasks` only for array jobs. */
export function jobList(jobId: string | number, state: string, tasks?: string, name = "dask-worker"): string {
  const running = /[rt]/.test(state) && !state.includes("q");
  return [
    `    <job_list state="${running ? "running" : "pending"}">`,
    `      <JB_job_number>${jobId}</JB_job_number>`,
    "      <JAT_prio>0.50000</JAT_prio>",
    `      <JB_name>${name}</JB_name>`,
    "      <JB_owner>root</JB_owner>",
    `      <state>${state}</state>`,
    running ? "      <JAT_start_time>2026-11-22T04:13:17</JAT_start_time>" : "      <JB_submission_time>2026-11-22T04:13:17</JB_submission_time>",
    `      <queue_name>${running ? "all.q@vm" : ""}</queue_name>`,
    "      <slots>2</slots>",
    ...(tasks === undefined ? [] : [`      <tasks>${tasks}</tasks>`]),
    "    </job_list>",
  ].join("\n");
}
