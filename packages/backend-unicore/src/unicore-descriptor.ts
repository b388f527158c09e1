import type { BackendContext, BackendDescriptor } from "@daskq/core";
import { UnicoreBackend } from "./unicore-backend.js";
import { readUnicoreOptions, UNICORE_CONFIG_KEYS } from "./unicore-options.js";

/** Makes a UNICORE backend; `context.options` are the validated values of its section. */
export function createUnicoreBackend(context: BackendContext): UnicoreBackend {
  return new UnicoreBackend(readUnicoreOptions(context.options, context.section), context.clusterId, context.logger);
}

/** The registration unit of the UNICORE backend. */
export const unicoreBackend: BackendDescriptor = {
  name: "unicore",
  description: "UNICORE (REST): workers and, by default, the scheduler as UNICORE jobs, reached through UNICORE port forwarding",
  configKeys: UNICORE_CONFIG_KEYS,
  // pyunicore's way: the scheduler is a UNICORE job reached through UNICORE port forwarding.
  defaults: { "scheduler-placement": "job" },
  // UNICORE's Runtime is in seconds; a bare number means seconds there.
  walltimeTwoPart: "hours:minutes",
  walltimeBareUnit: "seconds",
  create: (context) => createUnicoreBackend(context),
};
