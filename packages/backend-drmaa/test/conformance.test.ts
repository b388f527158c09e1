/**
 * The backend conformance suite on the REAL Grid Engine through its DRMAA library (testbed sge.sh +
 * drmaa.sh), with real Dask workers and a real Python client. Under CI=true a missing SGE or
 * libdrmaa fails this file.
 */
import { backendConformanceSuite } from "@daskq/testing";
import { drmaaBackend } from "../src/index.js";
import { START_DRMAA, drmaaIsUp } from "./drmaa-available.js";

const up = await drmaaIsUp();

backendConformanceSuite({
  descriptor: drmaaBackend,
  available: () => up,
  howToStart: START_DRMAA,
  // The testbed's all.q has 8 slots on one host: small jobs with the default native options
  // -pe smp 1 -l h_vmem=1G (the worker's virtual memory limit).
  job: { cores: 1, memory: "1GiB", queue: "all.q", walltime: "00:10:00" },
});
