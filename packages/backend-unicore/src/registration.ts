import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { unicoreBackend } from "./unicore-descriptor.js";

/** Registers the UNICORE backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, unicoreBackend);
}
