import type { ClusterAccess } from "./dask-client.js";
import { runPython } from "./python.js";

/** A steady load for a cluster: how long, how many tasks in flight, how long each task sleeps. */
export interface SteadyLoadOptions {
  readonly seconds: number;
  readonly inFlight: number;
  readonly taskSeconds: number;
  /** A directory the workers can write (shared with the workers' nodes): one file per task records its executions. */
  readonly directory: string;
}

/** What a steady load saw, from a real Python client and the scheduler. */
export interface SteadyLoadResult {
  readonly tasks: number;
  /** Task executions started (each task appends to its own file when it starts). */
  readonly executions: number;
  /** Tasks that started more than once (interrupted, or their result was lost and recomputed). */
  readonly recomputed: number;
  /** Tasks whose future ended in error (lost). */
  readonly errors: number;
  /** The results gathered at the end are the task numbers: their sum must be n(n-1)/2. */
  readonly sumCorrect: boolean;
  /** Workers the scheduler had, sampled every second: total and those `running` (not draining). */
  readonly fewestWorkers: number;
  readonly fewestRunningWorkers: number;
  readonly samples: number;
}

const LOAD_SCRIPT = `
import json, os, sys, threading, time
from distributed import Client, as_completed
address, seconds, in_flight, task_seconds, directory = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]

def work(i, directory=directory, task_seconds=task_seconds):
    import os, time
    with open(os.path.join(directory, str(i)), "a") as f:
        f.write("x")
    time.sleep(task_seconds)
    return i

client = Client(address, timeout=60)
samples = []
done = threading.Event()
def sample():
    while not done.is_set():
        statuses = client.run_on_scheduler(lambda dask_scheduler: [ws.status.name for ws in dask_scheduler.workers.values()])
        samples.append((len(statuses), statuses.count("running")))
        done.wait(1.0)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()

futures = []
pending = as_completed()
def submit():
    n = len(futures)
    future = client.submit(work, n, key="steady-load-%d" % n)
    futures.append(future)
    pending.add(future)
for _ in range(in_flight):
    submit()
deadline = time.time() + seconds
for finished in pending:
    if time.time() < deadline:
        submit()
done.set()
sampler.join()
errors = sum(1 for f in futures if f.status == "error")
results = client.gather([f for f in futures if f.status != "error"])
n = len(futures)
executions = [len(open(os.path.join(directory, str(i))).read()) if os.path.exists(os.path.join(directory, str(i))) else 0 for i in range(n)]
print("RESULT " + json.dumps({
    "tasks": n,
    "executions": sum(executions),
    "recomputed": sum(1 for e in executions if e > 1),
    "errors": errors,
    "sumCorrect": errors == 0 and sum(results) == n * (n - 1) // 2,
    "fewestWorkers": min(s[0] for s in samples),
    "fewestRunningWorkers": min(s[1] for s in samples),
    "samples": len(samples),
}))
client.close()
`;

/**
 * Keeps `inFlight` tasks of `taskSeconds` each running on the cluster for `seconds` with a real
 * Python client, keeps every result on the workers until the end (so a result lost with a worker
 * is recomputed, and shows as a second execution), samples the scheduler's workers every second,
 * then gathers everything and counts each task's executions.
 */
export async function runSteadyLoad(target: ClusterAccess, options: SteadyLoadOptions): Promise<SteadyLoadResult> {
  const timeoutMs = (options.seconds + 120) * 1000;
  const args = [target.schedulerAddress, String(options.seconds), String(options.inFlight), String(options.taskSeconds), options.directory];
  const result = await runPython(LOAD_SCRIPT, args, timeoutMs, target.clientEnv);
  const line = result.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`the steady-load client failed (exit ${result.exitCode}):\n${result.stderr.slice(-3000)}`);
  return JSON.parse(line.slice("RESULT ".length)) as SteadyLoadResult;
}
