import { DaskqError, LocalRunner, type CommandResult, type CommandRunner, type RunOptions } from "@daskq/core";
import { CountingRunner } from "./counting-runner.js";

/**
 * A CountingRunner whose FIRST run of one command (a submit command such as `sbatch`) really runs,
 * so the batch system accepts the job, but whose answer never reaches the caller: after `delayMs`
 * it fails as `LocalRunner` fails a command that timed out. This is a submission that timed out
 * after the batch system accepted it (an overloaded controller, a hung SSH channel).
 */
export class AnswerLosingRunner extends CountingRunner {
  private lost = false;

  constructor(
    private readonly command: string,
    private readonly delayMs = 1_000,
    inner: CommandRunner = new LocalRunner(),
  ) {
    super(inner);
  }

  /** True once the answer of the command was lost. */
  get answerLost(): boolean {
    return this.lost;
  }

  override async run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const result = await super.run(command, args, options);
    if (command !== this.command || this.lost) return result;
    this.lost = true;
    await new Promise((r) => setTimeout(r, this.delayMs));
    throw new DaskqError("runner", `could not run ${command}: timed out after ${this.delayMs} ms`);
  }
}
