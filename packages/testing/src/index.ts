export { PYTHON, runPython, type PythonResult } from "./python.js";
export { startDaskWorker, type TestWorker } from "./dask-worker.js";
export { findProcesses, eventually, type ProcessEntry } from "./processes.js";
export { requireService, hasDaskPython } from "./require-service.js";
