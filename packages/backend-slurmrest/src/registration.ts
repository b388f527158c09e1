import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { slurmRestBackend } from "./slurmrest-descriptor.js";

/** Registers the slurmrest backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, slurmRestBackend);
}
