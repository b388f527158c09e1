// @daskq/core first: it loads the reflect-metadata polyfill that tsyringe requires.
import { registerBackend } from "@daskq/core";
import { container as globalContainer, type DependencyContainer } from "tsyringe";
import { localBackend } from "./local-descriptor.js";

/** Registers the local backend in `container` (the global tsyringe container by default). */
export function register(container: DependencyContainer = globalContainer): void {
  registerBackend(container, localBackend);
}
