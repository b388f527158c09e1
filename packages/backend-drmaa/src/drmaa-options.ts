import { ConfigError } from "@daskq/core";
import { readSgeHeaderOptions, type SgeHeaderOptions } from "@daskq/backend-sge";

/** How daskq turns the job's cores, memory, walltime, queue and account into native options. */
export type NativeOptionStyle = "sge" | "none";

/** The DRMAA backend's own settings (`jobqueue.drmaa.*` beyond the shared keys). */
export interface DrmaaOptions {
  /** Path of libdrmaa; unset: `DRMAA_LIBRARY_PATH`, then Debian's Grid Engine libdrmaa. */
  readonly library: string | undefined;
  /** `drmaa_init` contact string; unset: the library's default system. */
  readonly contact: string | undefined;
  /** `drmaa_native_specification` words appended verbatim after daskq's own. */
  readonly nativeSpecification: string | undefined;
  /** `sge` (default): cores, memory, walltime, queue and account as Grid Engine options; `none`: only the verbatim specification. */
  readonly nativeOptions: NativeOptionStyle;
  /** With `native-options: sge`: the sge backend's request keys (parallel-environment, memory-resource, resource-spec, project). */
  readonly gridEngine: SgeHeaderOptions;
  /** Variable holding a bulk job's task index in the job (`SGE_TASK_ID` on Grid Engine). */
  readonly taskIndexVariable: string;
}

const DEFAULT_GRID_ENGINE: SgeHeaderOptions = { parallelEnvironment: "smp", memoryResource: "h_vmem", resourceSpec: undefined, project: undefined };

export const DEFAULT_DRMAA_OPTIONS: DrmaaOptions = {
  library: undefined,
  contact: undefined,
  nativeSpecification: undefined,
  nativeOptions: "sge",
  gridEngine: DEFAULT_GRID_ENGINE,
  taskIndexVariable: "SGE_TASK_ID",
};

/**
 * Reads the validated `jobqueue.drmaa` values (kebab-case keys, as in `JobSpec.backendOptions`).
 * A key that is absent, null or empty takes "unset" (the loader has already filled in defaults).
 *
 * @throws ConfigError naming the key for a value of the wrong type or form.
 */
export function readDrmaaOptions(values: Readonly<Record<string, unknown>> | undefined): DrmaaOptions {
  const v = values ?? {};
  const style = optionalString(v, "native-options") ?? DEFAULT_DRMAA_OPTIONS.nativeOptions;
  if (style !== "sge" && style !== "none") {
    throw new ConfigError(`expected sge or none, got ${JSON.stringify(style)}`, { keyPath: "native-options" });
  }
  const variable = optionalString(v, "task-index-variable") ?? DEFAULT_DRMAA_OPTIONS.taskIndexVariable;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new ConfigError(`expected an environment variable name, got ${JSON.stringify(variable)}`, { keyPath: "task-index-variable" });
  }
  return {
    library: optionalString(v, "library"),
    contact: optionalString(v, "contact"),
    nativeSpecification: optionalString(v, "native-specification"),
    nativeOptions: style,
    // Absent keys take the defaults (the config loader fills them in too); null or empty unsets.
    gridEngine: readSgeHeaderOptions({ "parallel-environment": DEFAULT_GRID_ENGINE.parallelEnvironment, "memory-resource": DEFAULT_GRID_ENGINE.memoryResource, ...v }),
    taskIndexVariable: variable,
  };
}

function optionalString(values: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = values[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new ConfigError(`expected a string, got ${JSON.stringify(value)}`, { keyPath: key });
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}
