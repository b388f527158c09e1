import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { procpoolBackend } from "./procpool-descriptor.js";

/**
 * Registers the procpool backend in `container`. The `daskq` command calls this with ITS container;
 * library users may rely on the default (tsyringe's global container) or import `/register`.
 */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, procpoolBackend);
}
