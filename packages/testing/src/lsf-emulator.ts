import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalRunner, type BackendDescriptor, type CommandResult, type CommandRunner, type RunOptions } from "@daskq/core";

/**
 * The directory holding the LSF EMULATOR's `bsub`, `bjobs` and `bkill` (see
 * packages/testing/emulators/lsf/README.md). It is never put on the PATH of the test process: only
 * the commands run through an emulator runner see it.
 */
export const LSF_EMULATOR_BIN = fileURLToPath(new URL("../emulators/lsf/bin", import.meta.url));

/** What to tell a user when the LSF emulator cannot run here. */
export const LSF_EMULATOR_REQUIREMENTS = "The LSF emulator needs Linux (/proc), bash and setsid (util-linux) besides Node.js.";

/** Settings of one emulated LSF cluster. */
export interface LsfEmulatorOptions {
  /** The emulator's state directory (`DASKQ_LSF_EMULATOR_STATE`); default /tmp/daskq-lsf-emulator. */
  readonly stateDir?: string;
  /**
   * More environment for the emulator's commands, e.g. `LSF_ENVDIR` (where lsf.conf is read),
   * `DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL`, `DASKQ_LSF_EMULATOR_QUEUES`, `DASKQ_LSF_EMULATOR_JSON`.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** The emulator's bin directory as the inner runner's machine sees it; default `LSF_EMULATOR_BIN` (e.g. a copy made over SSH by `uploadEmulator`). */
  readonly bin?: string;
}

/**
 * A `CommandRunner` that runs every command through `inner` (a `LocalRunner` by default) with the
 * LSF emulator's bin directory FIRST on PATH and the emulator settings in the environment, so that
 * a backend calling `bsub`, `bjobs` and `bkill` talks to the emulator. Files go through `inner`
 * unchanged.
 */
export class LsfEmulatorRunner implements CommandRunner {
  constructor(
    private readonly options: LsfEmulatorOptions = {},
    private readonly inner: CommandRunner = new LocalRunner(),
  ) {}

  get description(): string {
    return `${this.inner.description} (LSF emulator)`;
  }

  /** The environment the emulator's commands get (on top of the inner runner's). */
  environment(extra?: Readonly<Record<string, string>>): Record<string, string> {
    const path = extra?.["PATH"] ?? this.options.env?.["PATH"] ?? process.env["PATH"] ?? "";
    return {
      ...this.options.env,
      ...(this.options.stateDir === undefined ? {} : { DASKQ_LSF_EMULATOR_STATE: this.options.stateDir }),
      ...extra,
      PATH: path === "" ? (this.options.bin ?? LSF_EMULATOR_BIN) : `${this.options.bin ?? LSF_EMULATOR_BIN}:${path}`,
    };
  }

  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return this.inner.run(command, args, { ...options, env: this.environment(options.env) });
  }

  writeFile(path: string, content: string, options?: { mode?: number }): Promise<void> {
    return this.inner.writeFile(path, content, options);
  }

  readFile(path: string): Promise<string | undefined> {
    return this.inner.readFile(path);
  }

  homeDirectory(): Promise<string> {
    return this.inner.homeDirectory();
  }

  makeTempDir(prefix: string): Promise<string> {
    return this.inner.makeTempDir(prefix);
  }

  /** The inner runner's port forwarding, when it reaches another machine (SSH). */
  get forwardLocalPort(): CommandRunner["forwardLocalPort"] {
    return this.inner.forwardLocalPort?.bind(this.inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A runner whose commands see the LSF emulator first on PATH (wrapping `inner`, a LocalRunner by default). */
export function lsfEmulatorRunner(options: LsfEmulatorOptions = {}, inner?: CommandRunner): LsfEmulatorRunner {
  return new LsfEmulatorRunner(options, inner);
}

/**
 * The same backend descriptor, but every backend it creates runs its commands through the LSF
 * emulator, wrapping the runner it is given (so that a `CountingRunner` still counts every call).
 */
export function withLsfEmulator(descriptor: BackendDescriptor, options: LsfEmulatorOptions = {}): BackendDescriptor {
  return {
    ...descriptor,
    create: (context) => descriptor.create({ ...context, runner: lsfEmulatorRunner(options, context.runner) }),
  };
}

/** A private emulated cluster for one test file. */
export interface LsfEmulatorCluster extends Required<Omit<LsfEmulatorOptions, "bin">> {
  /** `LSF_ENVDIR`: holds the lsf.conf the emulator reads. */
  readonly envDir: string;
  /** Ends every job left (`bkill 0`) and removes the state. */
  dispose(): Promise<void>;
}

/**
 * Creates a fresh state directory and an `LSF_ENVDIR` whose lsf.conf holds `lsfConf` (e.g.
 * `{ LSB_BSUB_PARSE_SCRIPT: "Y" }`), plus any `env` knobs. Dispose of it in `afterAll`.
 */
export async function createLsfEmulatorCluster(
  lsfConf: Readonly<Record<string, string>> = {},
  env: Readonly<Record<string, string>> = {},
): Promise<LsfEmulatorCluster> {
  const root = await mkdtemp(join(tmpdir(), "daskq-lsf-emulator-"));
  const stateDir = join(root, "state");
  const envDir = join(root, "conf");
  await mkdir(envDir, { recursive: true });
  const conf = Object.entries(lsfConf).map(([key, value]) => `${key}=${value}`);
  await writeFile(join(envDir, "lsf.conf"), `# lsf.conf of a daskq LSF EMULATOR cluster\n${conf.join("\n")}\n`);
  const options = { stateDir, env: { LSF_ENVDIR: envDir, ...env } };
  return {
    ...options,
    envDir,
    async dispose() {
      await killLsfEmulatorJobs(options).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Kills every unfinished job of an emulated cluster (`bkill 0`) and waits until none is left running. */
export async function killLsfEmulatorJobs(options: LsfEmulatorOptions, timeoutMs = 30_000): Promise<void> {
  const runner = lsfEmulatorRunner({ ...options, env: { ...options.env, DASKQ_LSF_EMULATOR_TERMINATE_INTERVAL: "0.5" } });
  await runner.run("bkill", ["0"]);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const left = await runner.run("bjobs", ["-noheader", "-o", "jobid stat"]);
    if (left.stdout.trim() === "") return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
