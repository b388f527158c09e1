import type { DependencyContainer } from "tsyringe";
import type { ResolvedConfig } from "../config/load-config.js";
import type { Logger } from "../logger.js";
import { COMMAND_RUNNER } from "../registry/tokens.js";
import type { CommandRunner } from "../runner/command-runner.js";
import { LocalRunner } from "../runner/local-runner.js";
import { SshRunner, type SshRunnerOptions } from "../ssh/ssh-runner.js";

/** Where a cluster's commands run, and whether the cluster must close it. */
export interface ChosenRunner {
  readonly runner: CommandRunner;
  /** True when it was made here (close it when done). */
  readonly owned: boolean;
}

/**
 * The runner for a cluster: the one given; else an `SshRunner` to config `ssh` (a host,
 * `user@host:port` or a `~/.ssh/config` alias; `ssh-accept-new-host-key` records an unknown host
 * key); else the container's `COMMAND_RUNNER`; else a `LocalRunner`. Nothing connects yet.
 *
 * @throws DaskqError naming `jobqueue.<section>.ssh` when the destination is malformed.
 */
export function runnerFromConfig(
  config: ResolvedConfig,
  options: { readonly runner?: CommandRunner; readonly container: DependencyContainer; readonly ssh?: SshRunnerOptions; readonly logger: Logger },
): ChosenRunner {
  if (options.runner) return { runner: options.runner, owned: false };
  const destination = config.values["ssh"] as string | undefined;
  if (destination !== undefined) {
    const acceptNew = config.values["ssh-accept-new-host-key"] === true ? { hostKeyPolicy: "accept-new" as const } : {};
    return { runner: SshRunner.to(destination, { logger: options.logger, ...options.ssh, ...acceptNew }, `jobqueue.${config.section}.ssh`), owned: true };
  }
  if (options.container.isRegistered(COMMAND_RUNNER, true)) return { runner: options.container.resolve(COMMAND_RUNNER), owned: false };
  return { runner: new LocalRunner(), owned: true };
}
