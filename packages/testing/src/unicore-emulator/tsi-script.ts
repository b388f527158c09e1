/**
 * The script an emulated UNICORE job runs, in the shape of the batch script UNICORE's TSI builds
 * (UNICORE-EU/unicorex `xnjs/.../tsi/remote/TSIMessages.java`, `makeSubmitCommand` and
 * `insertExecutable`): environment as `K="V"; export K` (double quotes, so the shell expands `$`),
 * the `UC_*` variables, `cd ${UC_WORKING_DIRECTORY}`, then `Executable` and every `Arguments`
 * entry joined with single spaces AS SHELL TEXT (UNICORE quotes nothing), and the exit code
 * written to `UNICORE_SCRIPT_EXIT_CODE`.
 */

/** Name of the exit code file in the working directory (TSIMessages.EXITCODE_FILENAME). */
export const EXIT_CODE_FILE = "UNICORE_SCRIPT_EXIT_CODE";

/** What goes into one job script. */
export interface TsiScriptParts {
  readonly environment: Readonly<Record<string, string>>;
  /** Absolute, with a trailing slash (UNICORE's working directories end in `/`). */
  readonly workingDirectory: string;
  readonly executable: string;
  readonly arguments: readonly string[];
  readonly userDn: string;
  /** `User precommand` / `User postcommand` run on the compute node (`RunUserPrecommandOnLoginNode: false`). */
  readonly userPreCommand?: string;
  readonly userPostCommand?: string;
}

/** The bash script for one job. */
export function renderTsiScript(parts: TsiScriptParts): string {
  const lines = ["#!/bin/bash", "# UNICORE EMULATOR job script (shape of UNICORE's TSI batch script)"];
  for (const [key, value] of Object.entries(parts.environment)) lines.push(`${key}="${value}"; export ${key}`);
  lines.push(`UC_USERDN="${parts.userDn.replace(/"/g, "_")}"; export UC_USERDN`);
  lines.push("PATH=$PATH:. ; export PATH");
  lines.push(`UC_WORKING_DIRECTORY="${parts.workingDirectory}"; export UC_WORKING_DIRECTORY`);
  lines.push(`UC_OUTPUT_DIRECTORY="${parts.workingDirectory}"; export UC_OUTPUT_DIRECTORY`);
  lines.push("cd ${UC_WORKING_DIRECTORY}");
  const executable = parts.executable.trim();
  const guess = executable.split(" ").find((t) => t.trim() !== "") ?? executable;
  lines.push(`UC_EXECUTABLE="${executable}"; export UC_EXECUTABLE`);
  lines.push(`chmod u+x "${guess}" 2> /dev/null `);
  lines.push(`rm -f \${UC_OUTPUT_DIRECTORY}/${EXIT_CODE_FILE}`);
  if (parts.userPreCommand) lines.push("# user defined pre-command", parts.userPreCommand);
  lines.push([parts.executable, ...parts.arguments].join(" "));
  lines.push("");
  lines.push(`echo $? > \${UC_OUTPUT_DIRECTORY}/${EXIT_CODE_FILE}`);
  if (parts.userPostCommand) lines.push("", "# user defined post-command", parts.userPostCommand);
  return `${lines.join("\n")}\n`;
}
