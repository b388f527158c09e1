import "reflect-metadata";
import type { DependencyContainer } from "tsyringe";
import type { BackendDescriptor } from "../backend/backend.js";
import { DaskqError } from "../errors.js";
import { BACKEND } from "./tokens.js";

/** Registers a backend under the `BACKEND` token. Registering the same name twice is a no-op. */
export function registerBackend(container: DependencyContainer, descriptor: BackendDescriptor): void {
  if (listBackends(container).some((b) => b.name === descriptor.name)) return;
  container.register(BACKEND, { useValue: descriptor });
}

/** All backends registered in `container`. */
export function listBackends(container: DependencyContainer): BackendDescriptor[] {
  return container.isRegistered(BACKEND, true) ? container.resolveAll(BACKEND) : [];
}

/** The backend called `name`, or an error listing the ones that are installed. */
export function findBackend(container: DependencyContainer, name: string): BackendDescriptor {
  const all = listBackends(container);
  const found = all.find((b) => b.name === name);
  if (found) return found;
  const known = all.map((b) => b.name).sort().join(", ") || "none";
  throw new DaskqError(
    "registry",
    `no backend named '${name}' is registered (registered: ${known}). ` +
      `Install @daskq/backend-${name} (or a daskq-backend-${name} package) and import its /register entry.`,
  );
}
