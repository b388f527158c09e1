import { configKey, defineOptions, expected, schema as v, TRIMMED_OR_UNSET } from "@daskq/core";
import { readSgeHeaderOptions, SGE_OPTIONS, type SgeHeaderOptions } from "@daskq/backend-sge";

/** How daskq turns the job's cores, memory, walltime, queue and account into native options. */
export type NativeOptionStyle = "sge" | "none";

const SGE = SGE_OPTIONS.declared;

/** The DRMAA backend's own keys under `jobqueue.drmaa`, beyond the shared ones (cores, memory, queue, account, ...), declared once. */
export const DRMAA_OPTIONS = defineOptions({
  library: configKey("string", {
    description: "Path of libdrmaa; unset: $DRMAA_LIBRARY_PATH, then Debian's /usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0",
    value: TRIMMED_OR_UNSET,
  }),
  contact: configKey("string", { description: "drmaa_init contact string; unset: the library's default system", value: TRIMMED_OR_UNSET }),
  "native-specification": configKey("string", {
    description: "drmaa_native_specification passed verbatim after daskq's own options (as dask-drmaa's nativeSpecification)",
    value: TRIMMED_OR_UNSET,
  }),
  "native-options": configKey("string", {
    default: "sge",
    description:
      "sge: -b n (the job script is spooled), and cores, memory, walltime, queue and account/project become Grid Engine options as in the sge backend (-q, -P, -pe, -l); none: only native-specification",
    value: v.pipe(v.string(), v.trim(), v.transform((style) => style || "sge"), v.picklist(["sge", "none"], expected("sge or none"))),
  }),
  // With native-options sge, the same requests as the sge backend, from the same keys.
  account: SGE.account,
  project: SGE.project,
  "parallel-environment": SGE["parallel-environment"],
  "memory-resource": SGE["memory-resource"],
  "resource-spec": SGE["resource-spec"],
  "task-index-variable": configKey("string", {
    default: "SGE_TASK_ID",
    description: "Variable holding a bulk job's task index inside the job, for worker names (SGE_TASK_ID on Grid Engine)",
    value: v.pipe(
      v.string(),
      v.trim(),
      v.transform((variable) => variable || "SGE_TASK_ID"),
      v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, expected("an environment variable name")),
    ),
  }),
});

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

/** The Grid Engine request keys' defaults (`smp`, `h_vmem`): a key absent from the values takes them. */
const GRID_ENGINE_DEFAULTS = { "parallel-environment": SGE["parallel-environment"].default, "memory-resource": SGE["memory-resource"].default };

/**
 * The settings from validated `jobqueue.<section>` values (kebab-case keys, as in `JobSpec.backendOptions`).
 * A key that is absent takes its default; null or blank means unset.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` for a value `DRMAA_OPTIONS` rejects.
 */
export function readDrmaaOptions(values: Readonly<Record<string, unknown>> | undefined, section = "drmaa"): DrmaaOptions {
  const o = DRMAA_OPTIONS.read(values, { section });
  return {
    library: o.library,
    contact: o.contact,
    nativeSpecification: o["native-specification"],
    nativeOptions: o["native-options"],
    gridEngine: readSgeHeaderOptions({ ...GRID_ENGINE_DEFAULTS, ...values }, section),
    taskIndexVariable: o["task-index-variable"],
  };
}

export const DEFAULT_DRMAA_OPTIONS: DrmaaOptions = readDrmaaOptions({});
