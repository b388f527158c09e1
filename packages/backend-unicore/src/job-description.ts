import { ConfigError, configKeyPath, DaskqError, schema as v, shellQuote, shellQuoteExpandingVariables } from "@daskq/core";

/**
 * A UNICORE job description (unicore-docs `user-docs/rest-api/job-description`). Other keys a
 * user's base description holds (Imports, User precommand, ...) are passed on unchanged.
 */
export interface UnicoreJobDescription {
  ApplicationName?: string;
  /** Shell text: UNICORE writes `Executable` and every argument into the job script joined by spaces, unquoted. */
  Executable?: string;
  Arguments?: string[];
  /** `{K: V}` or `["K=V"]`; UNICORE writes `K="V"` into the script. */
  Environment?: Record<string, string> | string[];
  Resources?: Record<string, string | number | boolean>;
  "Job type"?: string;
  Tags?: string[];
  Name?: string;
  haveClientStageIn?: string;
  [key: string]: unknown;
}

/** What daskq wants in a job, before the user's base description is taken into account. */
export interface DescriptionParts {
  /** The command as argv: `[python, "-m", module]`; becomes `Executable` unless the base has one. */
  readonly command: readonly string[];
  /** daskq's arguments as SHELL WORDS (see `shellWords`): UNICORE passes them through a shell. */
  readonly arguments: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** Resources daskq asks for; a key the base already has is kept as the user wrote it. */
  readonly resources: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly name: string;
}

/**
 * The job description from the user's base (`worker-job-description` / `scheduler-job-description`)
 * plus what daskq needs, adding ONLY what is missing, as pyunicore's UNICORECluster does:
 * - `Executable` only when the base has neither `Executable` nor `ApplicationName`;
 * - each daskq argument `--flag [value]` only when the base's `Arguments` lack `--flag`;
 *   positional arguments (the scheduler address) always;
 * - environment variables and resources only where the base has none of that name;
 * - tags added to the base's; the job held (`haveClientStageIn`) so daskq records its URL first.
 */
export function completeDescription(base: Readonly<UnicoreJobDescription>, parts: DescriptionParts): UnicoreJobDescription {
  const description: UnicoreJobDescription = structuredClone(base) as UnicoreJobDescription;
  if (description.Executable === undefined && description.ApplicationName === undefined) {
    description.Executable = parts.command.map(shellQuote).join(" ");
  }
  const baseArgs = (description.Arguments ?? []).map(String);
  description.Arguments = [...baseArgs, ...missingArguments(baseArgs, parts.arguments)];
  description.Environment = mergeEnvironment(description.Environment, parts.environment);
  const resources = { ...(description.Resources ?? {}) };
  for (const [key, value] of Object.entries(parts.resources)) if (resources[key] === undefined) resources[key] = value;
  if (Object.keys(resources).length > 0) description.Resources = resources;
  description.Tags = [...new Set([...(description.Tags ?? []).map(String), ...parts.tags])];
  description.Name ??= parts.name;
  description.haveClientStageIn = "true";
  return description;
}

/**
 * Words quoted for the shell line UNICORE writes: each one literal, except those at `expandOnNode`,
 * whose plain `$VAR` references expand on the node (core's `local-directory: $TMPDIR/dask`).
 */
export function shellWords(words: readonly string[], expandOnNode: readonly number[] = []): string[] {
  return words.map((word, i) => (expandOnNode.includes(i) ? shellQuoteExpandingVariables(word) : shellQuote(word)));
}

/**
 * The base with daskq's shell `lines` for the compute node, before the executable: the TLS setup
 * (`tls`, core's `renderTlsSetup`: the cluster's PEM files written 0600 in a private directory,
 * removed when the job ends) and, when the base has no `User precommand`, `job-script-prologue`
 * (`prologue`). UNICORE runs a `User precommand` with `RunUserPrecommandOnLoginNode: false` in the
 * job script itself, so the TLS directory's shell variable reaches the executable.
 *
 * @throws ConfigError when TLS is on and the base's own `User precommand` runs on the login node
 *   (UNICORE's default): the certificates would not reach the compute node.
 */
export function withPrecommand(
  base: Readonly<UnicoreJobDescription>,
  lines: { tls: readonly string[]; prologue: readonly string[] },
  key: string,
  section = "unicore",
): UnicoreJobDescription {
  const own = base["User precommand"];
  if (own !== undefined && lines.tls.length > 0 && base["RunUserPrecommandOnLoginNode"] !== false) {
    throw new ConfigError(
      "its User precommand runs on the login node (RunUserPrecommandOnLoginNode is not false), but with TLS daskq writes the cluster's certificates in the precommand on the compute node: set RunUserPrecommandOnLoginNode: false, or turn TLS off (--no-tls)",
      { keyPath: configKeyPath(section, key) },
    );
  }
  const pre = [...lines.tls, ...(own !== undefined ? [String(own)] : lines.prologue)];
  if (pre.length === 0 || (lines.tls.length === 0 && own !== undefined)) return { ...base };
  return { ...base, "User precommand": pre.join("\n"), RunUserPrecommandOnLoginNode: false };
}

/** daskq's arguments minus every `--flag [value]` whose flag the base already has. */
function missingArguments(baseArgs: readonly string[], wanted: readonly string[]): string[] {
  const present = new Set(baseArgs.map((a) => a.split("=")[0]));
  const out: string[] = [];
  for (let i = 0; i < wanted.length; i++) {
    const arg = wanted[i] as string;
    if (!arg.startsWith("--")) {
      out.push(arg);
      continue;
    }
    const takesValue = i + 1 < wanted.length && !(wanted[i + 1] as string).startsWith("--");
    if (!present.has(arg.split("=")[0] as string)) out.push(arg, ...(takesValue ? [wanted[i + 1] as string] : []));
    if (takesValue) i++;
  }
  return out;
}

/**
 * UNICORE writes each variable as `K="V"` (double quotes: the shell would expand `$(...)`, `` ` ``
 * and `$X`), so daskq's values are escaped to stay literal. The user's own base entries stay as written.
 */
function mergeEnvironment(base: UnicoreJobDescription["Environment"], ours: Readonly<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = {};
  if (Array.isArray(base)) {
    for (const entry of base.map(String)) {
      const i = entry.indexOf("=");
      merged[i < 0 ? entry : entry.slice(0, i)] = i < 0 ? "" : entry.slice(i + 1);
    }
  } else if (base) Object.assign(merged, base);
  for (const [key, value] of Object.entries(ours)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new DaskqError("unicore", `invalid environment variable name in env: ${JSON.stringify(key)}`);
    if (!(key in merged)) merged[key] = value.replace(/[\\"$`]/g, "\\$&");
  }
  return merged;
}

/** UNICORE's `Runtime`: seconds. */
export function unicoreRuntime(seconds: number): string {
  return String(Math.ceil(seconds));
}

/** UNICORE's `Memory` (per node): whole mebibytes with the `M` unit. */
export function unicoreMemory(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}M`;
}

/** What a base job description from config must be: a mapping whose Arguments and Tags are lists and Resources a mapping. */
export const BASE_DESCRIPTION = v.looseObject(
  {
    Arguments: v.optional(v.array(v.unknown(), "Arguments must be a list of strings")),
    Tags: v.optional(v.array(v.unknown(), "Tags must be a list of strings")),
    Resources: v.optional(v.record(v.string(), v.unknown(), "Resources must be a mapping (Queue, Project, Nodes, Runtime, ...)")),
  },
  "expected a job description (a mapping such as {Executable: ..., Resources: {...}})",
);

/**
 * Reads a base job description from config: a mapping, or JSON text (absent or empty: none).
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>` (and the field) when it is not one.
 */
export function readBaseDescription(value: unknown, key: string, section = "unicore"): UnicoreJobDescription {
  if (value === undefined || value === null || value === "") return {};
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      throw new ConfigError(`expected a job description (a mapping, or JSON text), got ${JSON.stringify(value.slice(0, 80))}`, { keyPath: configKeyPath(section, key) });
    }
  }
  const outcome = v.safeParse(BASE_DESCRIPTION, parsed);
  if (!outcome.success) {
    const issue = outcome.issues[0];
    const field = issue.path?.map((item) => `.${String(item.key)}`).join("") ?? "";
    throw new ConfigError(issue.message, { keyPath: configKeyPath(section, key) + field });
  }
  return parsed as UnicoreJobDescription;
}
