// LSF EMULATOR: one turn of the emulated mbatchd (record ended jobs, escalate kills, start pending
// elements, clean up), run by the job wrapper when a job ends and by timers. Not an LSF command.
import { withState } from "./engine.mjs";

try {
  withState();
} catch (error) {
  process.stderr.write(`daskq LSF emulator dispatch: ${error?.message ?? error}\n`);
  process.exitCode = 1;
}
