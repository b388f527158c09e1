/**
 * Property-based test (fast-check): 1,000 generated config values per run (shell metacharacters,
 * quotes, newlines, unicode, NUL, huge and odd numbers) given as options, as
 * DASK_JOBQUEUE__SLURM__* environment variables and as daskq command-line arguments. Each either
 * fails with a DaskqError, or gives a Slurm job script (a quarter with TLS material) that `bash -n` accepts and
 * that, run in a scratch directory with a recording stand-in for python, passes every value to
 * the worker verbatim and creates no canary file: 0 injections.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClusterCertificates, DaskqError, loadBackendConfig, LocalRunner, renderJobScript, resolveJobSpec, silentLogger, workerLaunch, type JobQueueClusterOptions } from "@daskq/core";
import { slurmBackend } from "@daskq/backend-slurm";
import { clusterOptionsFrom, parseClusterArgs } from "../src/cli-options.js";

const CANARY = "CANARY";
/** Pieces an attacker would try; the generator mixes them with arbitrary unicode. */
const NASTY = [
  `$(touch ${CANARY})`, `\`touch ${CANARY}\``, `'; touch ${CANARY}; '`, `"; touch ${CANARY}; "`, `\ntouch ${CANARY}\n`, `\r\ntouch ${CANARY}`,
  `$((2**63))`, "${IFS}", "$HOME", "${PATH}", "\\", "'", '"', "`", "$", ";", "|", "&", "&&", ">", "<", "(", ")", "{", "}", "*", "?", "~", "#", "!", "\n", "\t",
  "\0", "\u00e9", "\u{1F600}", "\u202e", "\uD800", " ", "-", "--x", "=", ",", "%", "%%A",
];
const piece = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "binary", maxLength: 6 }), fc.string({ maxLength: 6 }));
const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(""));
const number = fc.oneof(
  fc.integer({ min: -5, max: 64 }).map(String),
  fc.constantFrom("1e309", "-0", "NaN", "Infinity", "0x10", "9007199254740993", "1".repeat(400), "16GB", "1.5", "4 GB", "2**64"),
  fc.bigInt().map(String),
  fc.double().map(String),
);
const KEYS_TEXT = ["name", "queue", "account", "interface", "local-directory", "log-directory", "worker-command", "walltime", "memory"] as const;
const KEYS_NUMBER = ["cores", "processes", "death-timeout", "memory"] as const;
// Each case sets one to three keys; the rest keep working defaults (cores 1, memory 1GB), so both
// outcomes (a clear error, a script that runs) are common.
const entry = fc.oneof(
  ...KEYS_TEXT.map((k) => fc.tuple(fc.constant<string>(k), text as fc.Arbitrary<unknown>)),
  ...KEYS_NUMBER.map((k) => fc.tuple(fc.constant<string>(k), number as fc.Arbitrary<unknown>)),
  fc.tuple(fc.constant("shebang"), fc.oneof(text, text.map((t) => `#!${t}`)) as fc.Arbitrary<unknown>),
  fc.tuple(fc.constant("worker-extra-args"), fc.array(text, { minLength: 1, maxLength: 3 }) as fc.Arbitrary<unknown>),
  fc.tuple(fc.constant("env"), fc.dictionary(fc.constantFrom("A", "B_1", "_x", "bad name", "1X", "X$(id)"), text, { minKeys: 1, maxKeys: 2 }) as fc.Arbitrary<unknown>),
);
const values = fc.array(entry, { minLength: 1, maxLength: 3 }).map((entries) => Object.fromEntries(entries) as Record<string, unknown>);
const source = fc.constantFrom("option", "env", "cli");

const python = "fake py'thon";
const address = "tcp://127.0.0.1:1";

/** The options for these values, as each source delivers them. */
function optionsFor(kind: string, v: Record<string, unknown>, scratch: string, pythonPath: string): Pick<JobQueueClusterOptions, "job" | "env" | "homeDir"> {
  const base = { homeDir: scratch, env: { PATH: process.env["PATH"] ?? "" } as NodeJS.ProcessEnv };
  if (kind === "option") return { ...base, job: { ...v, python: pythonPath } };
  if (kind === "env") {
    const env = { ...base.env };
    for (const [k, value] of Object.entries(v)) env[`DASK_JOBQUEUE__SLURM__${k.toUpperCase().replace(/-/g, "_")}`] = typeof value === "string" ? value : JSON.stringify(value);
    return { ...base, env, job: { python: pythonPath } };
  }
  const argv: string[] = ["--backend", "slurm", "--python", pythonPath];
  for (const [k, value] of Object.entries(v)) {
    if (k === "worker-extra-args") for (const a of value as string[]) argv.push(`--worker-extra-arg=${a}`);
    else if (k === "cores" || k === "memory" || k === "processes" || k === "queue" || k === "account" || k === "walltime" || k === "interface") argv.push(`--${k}=${value as string}`);
    else argv.push("--set", `${k}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  const cli = clusterOptionsFrom(parseClusterArgs(argv).values);
  return { ...base, job: cli.job };
}

/** One generated case whose script was rendered, to run afterwards. */
interface RenderedCase {
  readonly kind: string;
  readonly values: Record<string, unknown>;
  readonly dir: string;
  readonly script: string;
}

/**
 * Runs every case's script in its own directory in ONE bash process (spawning a process per case
 * from Node costs seconds on a loaded machine): `bash -n`, then the script, recording exit codes.
 */
const DRIVER = [
  "for dir; do",
  '  cd "$dir" || exit 1',
  '  if bash -n job.sh 2> syntax; then FUZZ_OUT="$dir" bash job.sh > out 2>&1 < /dev/null; echo $? > code; else echo syntax > code; fi',
  "done",
].join("\n");

describe("fuzzing config, env and CLI values into job scripts (fast-check)", () => {
  it("1,000 generated values: a DaskqError, or a script bash accepts that passes them verbatim and injects nothing", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "daskq-fuzz-"));
    const bin = join(scratch, "bin");
    await execa("mkdir", ["-p", bin]);
    const fakePython = join(bin, python);
    // Stands in for python: the scheduler check passes; the worker's argv and env are recorded.
    await writeFile(fakePython, '#!/bin/sh\n[ "$1" = -c ] && exit 0\nprintf \'%s\\0\' "$@" > "$FUZZ_OUT/argv"\nenv -0 > "$FUZZ_OUT/env"\n');
    await chmod(fakePython, 0o755);
    const tls = await createClusterCertificates("daskq-fuzz");
    const cases: RenderedCase[] = [];
    let rejected = 0;
    try {
      // Phase 1: 1,000 generated cases, each rendered or refused with a DaskqError (anything else fails here, shrunk).
      fc.assert(
        fc.property(source, values, (kind, v) => {
          let script: string;
          try {
            const options = optionsFor(kind, { cores: "1", memory: "1GB", ...v }, scratch, fakePython);
            const spec = resolveJobSpec(loadBackendConfig(slurmBackend, options), { python: fakePython });
            const backend = slurmBackend.create({ runner: new LocalRunner(), logger: silentLogger, options: spec.backendOptions, clusterId: "daskq-fuzz" });
            script = renderJobScript(backend, spec, workerLaunch(spec, address, { kind: "fixed", name: "w-0" }, cases.length % 4 === 0 ? tls : undefined), spec.logDirectory);
          } catch (error) {
            if (!(error instanceof DaskqError)) throw error;
            rejected++;
            return;
          }
          cases.push({ kind, values: v, dir: join(scratch, `case-${cases.length}`), script });
        }),
        { numRuns: 1000 },
      );
      // Phase 2: run every rendered script and check it.
      for (const c of cases) {
        await mkdir(c.dir);
        await writeFile(join(c.dir, "job.sh"), c.script);
      }
      await execa("bash", ["-c", DRIVER, "fuzz", ...cases.map((c) => c.dir)], { env: { PATH: process.env["PATH"] ?? "" }, extendEnv: false, timeout: 300_000 });
      for (const c of cases) {
        const where = `${c.kind} ${JSON.stringify(c.values)}\n${c.script}`;
        const files = await readdir(c.dir);
        expect(files, where).not.toContain(CANARY);
        expect((await readFile(join(c.dir, "code"), "utf8")).trim(), `${where}\n${await readFile(join(c.dir, "syntax"), "utf8")}`).not.toBe("syntax");
        const argvText = await readFile(join(c.dir, "argv"), "utf8").catch(() => undefined);
        expect(argvText, `worker not started: ${await readFile(join(c.dir, "out"), "utf8")}\n${where}`).toBeDefined();
        const argv = (argvText as string).split("\0").slice(0, -1);
        const after = (flag: string) => argv[argv.indexOf(flag) + 1];
        const v = c.values;
        if (c.script.includes("daskq_tls=")) expect(after("--tls-ca-file"), where).toMatch(/daskq-tls\.[^/]+\/ca\.pem$/);
        const extra = (v["worker-extra-args"] as string[] | undefined) ?? [];
        if (c.kind !== "env" && extra.length > 0) expect(argv.slice(-extra.length), where).toEqual(extra);
        if (typeof v["interface"] === "string" && v["interface"] !== "" && c.kind !== "env") expect(after("--interface"), where).toBe(v["interface"]);
        const local = v["local-directory"];
        if (typeof local === "string" && local !== "" && c.kind !== "env" && !/\$[{A-Za-z_]/.test(local)) expect(after("--local-directory"), where).toBe(local);
        if (c.kind === "option" && v["env"]) {
          const env = new Map((await readFile(join(c.dir, "env"), "utf8")).split("\0").map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
          for (const [k, value] of Object.entries(v["env"] as Record<string, string>)) expect(env.get(k), where).toBe(value);
        }
      }
      expect(await readdir(scratch)).not.toContain(CANARY);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    // Both outcomes happen: the generator is neither trivially refused nor trivially accepted.
    console.log(`fuzz: ${rejected} refused with a DaskqError, ${cases.length} scripts run`);
    expect(rejected).toBeGreaterThan(50);
    expect(cases.length).toBeGreaterThan(50);
  }, 600_000);
});
