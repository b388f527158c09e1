import { CommandError } from "../errors.js";
import type { CommandResult, CommandRunner, RunOptions } from "./command-runner.js";

/**
 * Runs a command through `runner` and throws a `CommandError` tagged with `component` (e.g.
 * `[daskq:slurm] sbatch failed (exit 1): ...`) unless it exits with one of `okExitCodes`.
 */
export async function runChecked(
  runner: CommandRunner,
  component: string,
  command: string,
  args: readonly string[],
  options: RunOptions & { okExitCodes?: readonly number[]; hint?: string } = {},
): Promise<CommandResult> {
  const result = await runner.run(command, args, options);
  if (!(options.okExitCodes ?? [0]).includes(result.exitCode)) {
    throw new CommandError(component, command, result.exitCode, result.stderr || result.stdout, options.hint);
  }
  return result;
}
