import { CommandError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { CommandRunner } from "./command-runner.js";

/** A batch system's cancel command and the messages that only say "unknown or already over". */
export interface CancelCommand {
  /** Error tag, e.g. `slurm`. */
  readonly component: string;
  /** e.g. `scancel`, `bkill`, `qdel`. */
  readonly command: string;
  /** Each line of a failed call's message must match one of these for the call to count as harmless. */
  readonly harmless: readonly RegExp[];
  /** Read the message from stdout when stderr is empty (qdel and canceljob). Default false. */
  readonly messageOnStdout?: boolean;
}

/** Whether every non-empty line of `text` matches one of `patterns` (and there is at least one). */
export function onlyHarmlessLines(text: string, patterns: readonly RegExp[]): boolean {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.length > 0 && lines.every((line) => patterns.some((re) => re.test(line)));
}

/**
 * Cancels with ONE call of `cancel.command args...`. `args` are the well-formed ids (the caller
 * filters); the other `ids` are logged and skipped. Nothing runs for an empty list. A failure whose
 * message only says the jobs are unknown or already over is not an error.
 *
 * @throws CommandError when the command fails for another reason (e.g. the server is down).
 */
export async function runCancelCommand(
  runner: CommandRunner,
  cancel: CancelCommand,
  ids: readonly string[],
  args: readonly string[],
  logger?: Logger,
): Promise<void> {
  const malformed = [...new Set(ids)].filter((id) => !args.includes(id));
  if (malformed.length > 0) logger?.debug(`${cancel.component}: not cancelling malformed job ids: ${malformed.join(" ")}`);
  if (args.length === 0) return;
  const result = await runner.run(cancel.command, args);
  if (result.exitCode === 0) return;
  const message = cancel.messageOnStdout ? result.stderr || result.stdout : result.stderr;
  if (onlyHarmlessLines(message, cancel.harmless)) {
    logger?.debug(`${cancel.component}: ${cancel.command}: ${message.trim()}`);
    return;
  }
  throw new CommandError(cancel.component, cancel.command, result.exitCode, result.stderr || result.stdout);
}
