import { ConfigError } from "../errors.js";
import type { JobSpec } from "../job/job-spec.js";
import { defaultLifetimeMargin } from "../job/worker-lifetime.js";
import { configKeyPath } from "./config-key.js";
import { envVariableName } from "./env-config.js";
import { sourceLabel, type ResolvedConfig } from "./load-config.js";
import { SHARED_KEYS, SHARED_OPTIONS } from "./shared-keys.js";

/** Values used when the configuration leaves them unset. */
export interface JobSpecFallbacks {
  /** The Python that starts workers when `python` is not configured (e.g. the one found by `findPython`). */
  readonly python: string;
}

const SHARED_NAMES = new Set(SHARED_KEYS.map((key) => key.name));

/**
 * dask-jobqueue's default number of worker processes for a job of `cores` cores: one per core up to 4 cores,
 * otherwise the smallest factor of `cores` that is at least its square root (16 → 4, 12 → 4, 7 → 7).
 */
export function defaultProcesses(cores: number): number {
  if (cores <= 4) return cores;
  for (let factor = Math.ceil(Math.sqrt(cores)); factor < cores; factor++) {
    if (cores % factor === 0) return factor;
  }
  return cores;
}

/**
 * Builds the `JobSpec` of one worker job from a resolved configuration (see `loadConfig`).
 *
 * `cores` and `memory` are required; `processes` defaults per `defaultProcesses` and must be from 1 to `cores`;
 * `python` falls back to `fallbacks.python`; unset lists and `env` are empty (`env` as exported variables, see `SHARED_OPTIONS`). Keys that are not shared keys go to
 * `backendOptions`. Keys the job script cannot do without (`name`, `death-timeout`, `worker-command`, `nanny`,
 * `shebang`) have defaults, so they are only missing when a layer unset them with `null`: that is an error.
 *
 * @throws ConfigError naming the key path, where the value came from, and how to fix it.
 */
export function resolveJobSpec(config: ResolvedConfig, fallbacks: JobSpecFallbacks): JobSpec {
  const keyPath = (name: string): string => configKeyPath(config.section, name);
  const optional = <T>(name: string): T | undefined => config.values[name] as T | undefined;
  const required = <T>(name: string, example: string): T => {
    const value = optional<T>(name);
    if (value !== undefined) return value;
    const source = config.sources[name];
    const unsetBy = source ? ` (${sourceLabel(source)} sets it to null)` : "";
    throw new ConfigError(
      `required but not set${unsetBy}; set it in a config file, ${envVariableName(config.section, name)}, ` +
        `or the ${name} option (e.g. --${name} ${example})`,
      { keyPath: keyPath(name) },
    );
  };
  const invalid = (name: string, message: string): ConfigError => {
    const source = config.sources[name];
    return new ConfigError(message, { ...(source && { source: sourceLabel(source) }), keyPath: keyPath(name) });
  };

  // The loader checked each value (cores >= 1, memory > 0, env names); what is left spans several keys.
  const cores = required<number>("cores", "4");
  const memory = required<number>("memory", "16GB");
  const processes = optional<number>("processes") ?? defaultProcesses(cores);
  if (processes < 1 || processes > cores) {
    throw invalid(
      "processes",
      `${processes} processes do not fit a job of ${cores} cores; expected a whole number from 1 to cores (${cores}), e.g. 1`,
    );
  }

  const walltime = optional<number>("walltime");
  const lifetimeMargin = optional<number>("lifetime-margin");
  const lifetimeStagger = optional<number>("lifetime-stagger") ?? 0;
  checkLifetime(walltime, lifetimeMargin, lifetimeStagger, invalid);

  return {
    jobName: required("name", "dask-worker"),
    cores,
    memory,
    processes,
    python: optional("python") ?? fallbacks.python,
    interface: optional("interface"),
    deathTimeout: required("death-timeout", "60"),
    localDirectory: optional("local-directory"),
    workerCommand: required("worker-command", "distributed.cli.dask_worker"),
    workerExtraArgs: optional("worker-extra-args") ?? [],
    nanny: required("nanny", "true"),
    prologue: optional("job-script-prologue") ?? [],
    epilogue: optional("job-script-epilogue") ?? [],
    extraDirectives: optional("job-extra-directives") ?? [],
    directivesSkip: optional("job-directives-skip") ?? [],
    logDirectory: optional("log-directory"),
    shebang: required("shebang", "'#!/usr/bin/env bash'"),
    walltime,
    lifetimeMargin,
    lifetimeStagger,
    queue: optional("queue"),
    account: optional("account"),
    env: SHARED_OPTIONS.read(config.values, { section: config.section }).env,
    backendOptions: Object.fromEntries(
      config.keys
        .filter((key) => !SHARED_NAMES.has(key.name) && config.values[key.name] !== undefined)
        .map((key) => [key.name, config.values[key.name]]),
    ),
  };
}

/**
 * Walltime rotation must leave the workers a lifetime: `walltime - margin - stagger` above 0, and
 * `lifetime - stagger` too (distributed draws the lifetime from lifetime ± stagger).
 */
function checkLifetime(
  walltime: number | undefined,
  margin: number | undefined,
  stagger: number,
  invalid: (name: string, message: string) => ConfigError,
): void {
  if (walltime === undefined || walltime <= 0 || margin === 0) return;
  if (margin !== undefined && margin >= walltime) {
    throw invalid(
      "lifetime-margin",
      `${margin}s is not shorter than the walltime (${walltime}s): the workers would have no lifetime; expected a duration below the walltime, e.g. ${defaultLifetimeMargin(walltime)}s, or 0 for no rotation`,
    );
  }
  const used = margin ?? defaultLifetimeMargin(walltime);
  if (walltime - used - 2 * stagger <= 0) {
    throw invalid(
      "lifetime-stagger",
      `${stagger}s leaves the workers no lifetime (walltime ${walltime}s - margin ${used}s - 2 x stagger <= 0); expected a duration below ${Math.max(0, Math.floor((walltime - used) / 2) - 1)}s, e.g. 0s`,
    );
  }
}
