import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killPbsEmulatorJobs, pbsEmulatorRunner, type PbsEmulatorFlavour, type PbsEmulatorOptions, type PbsEmulatorRunner } from "@daskq/testing";

/** A PBS EMULATOR server of its own for one test file: a fresh state directory, removed by `dispose`. */
export interface EmulatedServer {
  readonly flavour: PbsEmulatorFlavour;
  readonly stateDir: string;
  readonly runner: PbsEmulatorRunner;
  /** Kills what still runs and removes the state directory. */
  dispose(): void;
}

export function emulatedServer(flavour: PbsEmulatorFlavour, options: Omit<PbsEmulatorOptions, "stateDir"> = {}): EmulatedServer {
  const stateDir = mkdtempSync(join(tmpdir(), `daskq-pbs-emulator-${flavour}-`));
  const runner = pbsEmulatorRunner(flavour, { killDelaySeconds: 1, ...options, stateDir });
  return {
    flavour,
    stateDir,
    runner,
    dispose() {
      killPbsEmulatorJobs(flavour, stateDir);
      rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
