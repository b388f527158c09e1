export { PYTHON, runPython, type PythonResult } from "./python.js";
export { startDaskWorker, type TestWorker } from "./dask-worker.js";
export { findProcesses, findProcessesInSessions, eventually, type ProcessEntry } from "./processes.js";
export { requireService, hasDaskPython } from "./require-service.js";
export { CountingRunner } from "./counting-runner.js";
export { computeArraySum } from "./dask-client.js";
export { backendConformanceSuite, type ConformanceTarget } from "./conformance-suite.js";
export { LSF_EMULATOR_BIN, LSF_EMULATOR_REQUIREMENTS, LsfEmulatorRunner, lsfEmulatorRunner, withLsfEmulator, lsfEmulatorAvailable, createLsfEmulatorCluster, killLsfEmulatorJobs, type LsfEmulatorOptions, type LsfEmulatorCluster } from "./lsf-emulator.js";
export { PBS_EMULATOR_BIN, PBS_EMULATOR_DEFAULT_STATE, PbsEmulatorRunner, pbsEmulatorRunner, pbsEmulatorEnv, pbsEmulatorAvailable, killPbsEmulatorJobs, type PbsEmulatorFlavour, type PbsEmulatorOptions } from "./pbs-emulator.js";
