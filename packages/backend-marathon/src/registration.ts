import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { marathonBackend } from "./marathon-descriptor.js";

/** Registers the Marathon backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, marathonBackend);
}
