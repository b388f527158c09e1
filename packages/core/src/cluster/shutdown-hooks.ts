/**
 * Runs cleanups on SIGINT/SIGTERM/SIGHUP, then lets the signal do what it would have done (the
 * process ends with the usual 128+n status). One listener per signal for all clusters.
 */
const hooks = new Set<() => Promise<void>>();
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;
let running = false;

function onSignal(signal: NodeJS.Signals): void {
  if (running) return; // a second Ctrl-C while cleaning up is ignored: cleanup must finish
  running = true;
  void Promise.allSettled([...hooks].map((hook) => hook())).then(() => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    installed = false;
    process.kill(process.pid, signal);
  });
}

/** Registers a cleanup to run on termination signals; returns a function that unregisters it. */
export function onShutdown(cleanup: () => Promise<void>): () => void {
  hooks.add(cleanup);
  if (!installed) {
    for (const s of SIGNALS) process.on(s, onSignal);
    installed = true;
  }
  return () => {
    hooks.delete(cleanup);
    if (hooks.size === 0 && installed && !running) {
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      installed = false;
    }
  };
}
