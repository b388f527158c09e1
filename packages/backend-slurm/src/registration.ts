import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { slurmBackend } from "./slurm-descriptor.js";

/** Registers the Slurm backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, slurmBackend);
}
