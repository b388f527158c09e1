import { spawn } from "node:child_process";
import type { EmulatorRunner } from "@daskq/testing";

/** What a command printed, byte for byte (CommandRunner results lose final newlines; golden tests keep them). */
export interface ExactResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an emulator command with the runner's environment in `cwd` and returns its exact output. */
export function runExact(runner: EmulatorRunner, cwd: string, command: string, args: readonly string[], input?: string): Promise<ExactResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...runner.environment() }, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}
