import { CommandError, DaskqError, silentLogger, type ArrayIndex, type BackendDescriptor } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { FakeRunner } from "./fake-runner.js";
import { scriptRequest } from "./script-request.js";

/** What a script backend's submit test hands to `scriptSubmitSuite`: the facts of its batch system. */
export interface ScriptSubmitTarget {
  /** The backend, driven only through `create()`. */
  readonly descriptor: BackendDescriptor;
  /** The submit command (`sbatch`, `qsub`). */
  readonly command: string;
  /** A job script with one of its directives. */
  readonly script: string;
  /** The submit command's argv for one job's script at `path`, e.g. `["--parsable", path]`. */
  readonly submitArgs: (path: string) => readonly string[];
  /** What the command prints for an array of `count` jobs with id `id`, and the task ids it stands for. */
  readonly arrayAnswer: (id: string, count: number) => { readonly stdout: string; readonly ids: readonly string[] };
  /** What the command prints when it refuses a job, and what it says (the error's text). */
  readonly refusal: { readonly stderr: string; readonly message: string };
  /** A script whose output directives name `directory` (which the batch system does not make). */
  readonly outputScript: { readonly script: string; readonly directory: string };
  /** Where the array index reaches a job. */
  readonly arrayIndex: ArrayIndex;
}

/**
 * The submit behaviour every script backend shares, against a `FakeRunner` (nothing runs): the
 * script written once into a private directory, numbered scripts, arrays as ONE command, the
 * command's refusals as `CommandError`s, the output directory made once, arrays switched off,
 * counts checked before anything runs, the directory removed on close. What is the backend's own
 * (its exact argv for arrays and limits, how it reads its answer) stays in its test file.
 */
export function scriptSubmitSuite(target: ScriptSubmitTarget): void {
  const { command, script } = target;
  const name = target.descriptor.name;
  const setup = (options?: Record<string, unknown>) => {
    const runner = new FakeRunner();
    const backend = target.descriptor.create({ runner, logger: silentLogger, options, clusterId: "daskq-test" });
    return { runner, backend };
  };
  const scriptDirectory = `/fake/tmp/daskq-${name}-1`;

  describe(`${name} submit (shared script-backend cases)`, () => {
    it(`writes the script to a private temp dir through the runner (0700) and runs ${command} on it`, async () => {
      const { runner, backend } = setup();
      runner.reply(command, { stdout: "123\n" });
      expect(await backend.submit(scriptRequest({ script, count: 1 }))).toEqual(["123"]);
      const [path, file] = [...runner.files.entries()][0] ?? [];
      expect(path).toBe(`${scriptDirectory}/job-1.sh`);
      expect(file).toEqual({ content: script, mode: 0o700 });
      expect(runner.calls.filter((c) => c.command !== "mkdir")).toEqual([{ command, args: target.submitArgs(path as string), input: undefined }]);
      expect(runner.events).toEqual(["mktemp", `write ${path}`, "run mkdir", `run ${command}`]);
    });

    it("reuses the temp dir and numbers the scripts", async () => {
      const { runner, backend } = setup();
      runner.reply(command, { stdout: "1" }, { stdout: "2" });
      await backend.submit(scriptRequest({ script, count: 1 }));
      await backend.submit(scriptRequest({ script, count: 1 }));
      expect([...runner.files.keys()]).toEqual([`${scriptDirectory}/job-1.sh`, `${scriptDirectory}/job-2.sh`]);
      expect(runner.events.filter((e) => e === "mktemp")).toHaveLength(1);
    });

    it(`submits several jobs as ONE ${command} and returns the task ids in index order`, async () => {
      const { runner, backend } = setup();
      const answer = target.arrayAnswer("123", 4);
      runner.reply(command, { stdout: answer.stdout });
      expect(await backend.submit(scriptRequest({ script, count: 4 }))).toEqual(answer.ids);
      expect(runner.callsOf(command)).toHaveLength(1);
    });

    it(`fails with a CommandError carrying ${command}'s message`, async () => {
      const { runner, backend } = setup();
      runner.reply(command, { exitCode: 1, stderr: target.refusal.stderr });
      const error = await backend.submit(scriptRequest({ script, count: 1 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandError);
      expect((error as Error).message).toBe(`[daskq:${name}] ${command} failed (exit 1): ${target.refusal.message}`);
    });

    it(`fails with a CommandError when ${command} exits 0 without an id`, async () => {
      const { runner, backend } = setup();
      runner.reply(command, { stdout: "garbage\n", stderr: "warning: odd" });
      const error = await backend.submit(scriptRequest({ script, count: 1 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommandError);
      expect((error as Error).message).toBe(`[daskq:${name}] ${command} failed (exit 0): printed no job id: garbage\nwarning: odd`);
    });

    it(`creates the request's output directory once, before ${command} (the batch system does not)`, async () => {
      const { runner, backend } = setup();
      runner.reply(command, { stdout: "5" });
      const { script: withOutput, directory } = target.outputScript;
      await backend.submit(scriptRequest({ script: withOutput, count: 1, outputDirectory: directory }));
      await backend.submit(scriptRequest({ script: withOutput, count: 1, outputDirectory: directory }));
      expect(runner.calls.map((c) => [c.command, ...c.args])).toEqual([
        ["mkdir", "-p", "--", directory],
        [command, ...target.submitArgs(`${scriptDirectory}/job-1.sh`)],
        [command, ...target.submitArgs(`${scriptDirectory}/job-2.sh`)],
      ]);
    });

    it("refuses arrays when arrays are switched off, and says so in its capabilities", async () => {
      const { runner, backend } = setup({ arrays: false });
      expect(backend.capabilities.arrays).toBe(false);
      expect(backend.arrayIndex).toBeUndefined();
      await expect(backend.submit(scriptRequest({ script, count: 2 }))).rejects.toThrow(/arrays are switched off/);
      runner.reply(command, { stdout: "8" });
      expect(await backend.submit(scriptRequest({ script, count: 1 }))).toEqual(["8"]);
      expect(runner.callsOf(command)).toHaveLength(1);
    });

    it(`has arrays on by default, indexed from ${target.arrayIndex.first} in ${target.arrayIndex.variable}`, () => {
      const { backend } = setup();
      expect(backend.capabilities.arrays).toBe(true);
      expect(backend.arrayIndex).toEqual(target.arrayIndex);
    });

    it("refuses counts and limits that are not positive integers before running anything", async () => {
      const { runner, backend } = setup();
      for (const request of [{ count: 0 }, { count: 1.5 }, { count: 3, maxRunning: 0 }]) {
        await expect(backend.submit(scriptRequest({ script, ...request }))).rejects.toBeInstanceOf(DaskqError);
      }
      expect(runner.calls).toEqual([]);
      expect(() => setup({ "array-max-running": -1 })).toThrow(/array-max-running/);
      expect(() => setup({ arrays: "yes" })).toThrow(/arrays/);
    });

    it("removes its script directory on close", async () => {
      const { runner, backend } = setup();
      runner.reply(command, { stdout: "1" });
      await backend.submit(scriptRequest({ script, count: 1 }));
      await backend.close?.();
      expect(runner.calls.at(-1)).toEqual({ command: "rm", args: ["-rf", "--", scriptDirectory], input: undefined });
    });
  });
}
