import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { pbsBackend } from "./pbs-descriptor.js";

/** Registers the PBS backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, pbsBackend);
}
