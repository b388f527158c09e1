import type { InjectionToken } from "tsyringe";
import type { BackendDescriptor } from "../backend/backend.js";
import type { CommandRunner } from "../runner/command-runner.js";

/** Every registered backend; resolve all of them and choose by `name`. */
export const BACKEND: InjectionToken<BackendDescriptor> = Symbol.for("daskq.Backend");

/** Where backend commands run. Defaults to a `LocalRunner` when nothing is registered. */
export const COMMAND_RUNNER: InjectionToken<CommandRunner> = Symbol.for("daskq.CommandRunner");
