import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BackendDescriptor, CommandRunner } from "@daskq/core";
import { EmulatorRunner } from "./emulator-runner.js";

/**
 * The directory holding the HTCONDOR EMULATOR's `condor_submit`, `condor_q`, `condor_history`,
 * `condor_rm`, `condor_hold` and `condor_release` (see packages/testing/emulators/htcondor/README.md).
 * It is never put on the PATH of the test process: only commands run through an emulator runner see it.
 */
export const HTCONDOR_EMULATOR_BIN = fileURLToPath(new URL("../emulators/htcondor/bin", import.meta.url));

/** Settings of one emulated HTCondor pool (one access point and one execute machine). */
export interface HtcondorEmulatorOptions {
  /** The state directory (`DASKQ_HTCONDOR_EMULATOR_STATE`); default /tmp/daskq-htcondor-emulator. */
  readonly stateDir?: string;
  /** How many jobs may run at once (dynamic slots); default 8. More jobs stay idle (JobStatus 1). */
  readonly slots?: number;
  /** The execute machine's cpus, memory (MB) and disk (KiB); a job whose request exceeds them stays idle forever. Defaults 64, 65536, 100 GiB. */
  readonly cpus?: number;
  readonly memoryMb?: number;
  readonly diskKb?: number;
  /** Milliseconds a job stays idle before it may start (the negotiation cycle); default 0. */
  readonly startDelayMs?: number;
  /** Seconds between SIGTERM and SIGKILL when a running job is removed or held; default 5. */
  readonly killTimeoutSeconds?: number;
  /** A SYSTEM_PERIODIC_HOLD expression: idle and running jobs it matches are held (HoldReasonCode 26), the test hook for holds. */
  readonly systemPeriodicHold?: string;
  /** SYSTEM_PERIODIC_HOLD_REASON: the HoldReason of those holds (default HTCondor's "The system macro ... evaluated to TRUE"). */
  readonly systemPeriodicHoldReason?: string;
  /** The emulator's bin directory as the inner runner's machine sees it; default `HTCONDOR_EMULATOR_BIN`. */
  readonly bin?: string;
}

/** The environment that selects the emulated pool's settings (without PATH). */
export function htcondorEmulatorEnv(options: HtcondorEmulatorOptions = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) env[`DASKQ_HTCONDOR_EMULATOR_${name}`] = String(value);
  };
  set("STATE", options.stateDir);
  set("SLOTS", options.slots);
  set("CPUS", options.cpus);
  set("MEMORY", options.memoryMb);
  set("DISK", options.diskKb);
  set("START_DELAY_MS", options.startDelayMs);
  set("KILL_TIMEOUT", options.killTimeoutSeconds);
  set("SYSTEM_PERIODIC_HOLD", options.systemPeriodicHold);
  set("SYSTEM_PERIODIC_HOLD_REASON", options.systemPeriodicHoldReason);
  return env;
}

/** A runner whose `condor_*` commands are the HTCondor EMULATOR's (wrapping `inner`, a LocalRunner by default). */
export function htcondorEmulatorRunner(options: HtcondorEmulatorOptions = {}, inner?: CommandRunner): EmulatorRunner {
  return new EmulatorRunner("HTCondor emulator", options.bin ?? HTCONDOR_EMULATOR_BIN, htcondorEmulatorEnv(options), inner);
}

/**
 * The same backend descriptor, but every backend it creates runs its commands through the HTCondor
 * emulator, wrapping the runner it is given (so that a `CountingRunner` still counts every call).
 */
export function withHtcondorEmulator(descriptor: BackendDescriptor, options: HtcondorEmulatorOptions = {}): BackendDescriptor {
  return {
    ...descriptor,
    create: (context) => descriptor.create({ ...context, runner: htcondorEmulatorRunner(options, context.runner) }),
  };
}

/** A private emulated pool for one test file. */
export interface HtcondorEmulator {
  /** The settings, with the private state directory. */
  readonly options: HtcondorEmulatorOptions & { readonly stateDir: string };
  /** A scratch directory for submit files and job output, removed by `dispose`. */
  readonly workDir: string;
  /** Runs `condor_*` against this pool. */
  readonly runner: EmulatorRunner;
  /** Removes every job left (`condor_rm -all`), waits until the queue is empty, and deletes the state. */
  dispose(): Promise<void>;
}

/** Creates a fresh emulated pool (state and work directory under the temp dir). Dispose of it in `afterAll`. */
export async function startHtcondorEmulator(options: Omit<HtcondorEmulatorOptions, "stateDir"> = {}): Promise<HtcondorEmulator> {
  const root = await mkdtemp(join(tmpdir(), "daskq-htcondor-emulator-"));
  const settings = { ...options, stateDir: join(root, "state") };
  const workDir = join(root, "work");
  await mkdir(workDir, { recursive: true });
  const runner = htcondorEmulatorRunner(settings);
  return {
    options: settings,
    workDir,
    runner,
    async dispose() {
      const fast = htcondorEmulatorRunner({ ...settings, killTimeoutSeconds: 0.5 });
      await fast.run("condor_rm", ["-all"]).catch(() => undefined);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const left = await fast.run("condor_q", ["-af", "ClusterId"]).catch(() => undefined);
        if (!left || left.stdout.trim() === "") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
