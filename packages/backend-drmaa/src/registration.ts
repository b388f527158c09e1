import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { drmaaBackend } from "./drmaa-descriptor.js";

/** Registers the DRMAA backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, drmaaBackend);
}
