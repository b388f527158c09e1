// HTCONDOR EMULATOR: one turn of the emulated schedd (record ended jobs, escalate kills, start idle
// jobs), run by the job wrapper when a job ends and by timers. Not an HTCondor command.
// usage: dispatch.mjs [settings-json]: the emulator's DASKQ_HTCONDOR_EMULATOR_* settings, which a
// job's own environment does not carry.
import { withSchedd } from "./schedd.mjs";

try {
  if (process.argv[2]) Object.assign(process.env, JSON.parse(process.argv[2]));
  withSchedd();
} catch (error) {
  process.stderr.write(`daskq HTCondor emulator dispatch: ${error?.message ?? error}\n`);
  process.exitCode = 1;
}
