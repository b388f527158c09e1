import { execa, type ResultPromise } from "execa";
import { PYTHON } from "./python.js";

/** A real Dask worker process started by a test. */
export interface TestWorker {
  readonly name: string;
  readonly process: ResultPromise;
  /** Kills the worker (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

/** Starts `python -m distributed.cli.dask_worker` against `address` with the given name. */
export function startDaskWorker(address: string, name: string, nthreads = 1): TestWorker {
  const child = execa(
    PYTHON,
    ["-m", "distributed.cli.dask_worker", address, "--name", name, "--nthreads", String(nthreads),
      "--no-dashboard", "--death-timeout", "30", "--host", "127.0.0.1"],
    { reject: false, stdin: "ignore", buffer: false, cleanup: true },
  );
  return {
    name,
    process: child,
    async kill() {
      child.kill("SIGKILL");
      await child.catch(() => undefined);
    },
  };
}
