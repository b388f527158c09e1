import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { DaskqError } from "../errors.js";
import type { CommandResult, CommandRunner, RunOptions } from "./command-runner.js";

/** Runs commands on this machine with execa (argv arrays, no shell). */
export class LocalRunner implements CommandRunner {
  readonly description = "local";

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const result = await execa(command, args, {
      reject: false,
      ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
      timeout: options.timeoutMs ?? 60_000,
      env: options.env ? { ...options.env } : undefined,
      cwd: options.cwd,
    });
    if (result.failed && result.exitCode === undefined) {
      const why = result.timedOut ? `timed out after ${options.timeoutMs ?? 60_000} ms` : result.shortMessage;
      throw new DaskqError("runner", `could not run ${command}: ${why}`, { cause: result });
    }
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? "") };
  }

  async writeFile(path: string, content: string, options: { mode?: number } = {}): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, { mode: options.mode ?? 0o644 });
  }

  async readFile(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async homeDirectory(): Promise<string> {
    return homedir();
  }

  makeTempDir(prefix: string): Promise<string> {
    return mkdtemp(join(tmpdir(), prefix));
  }

  async close(): Promise<void> {}
}
