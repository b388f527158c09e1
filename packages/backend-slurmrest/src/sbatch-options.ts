import { ConfigError } from "@daskq/core";

/** The job description slurmrestd takes (`job` of `POST /slurm/<version>/job/submit`): JSON fields. */
export type JobProperties = Record<string, string | number | boolean | readonly number[] | Readonly<Record<string, string>>>;

/** How one sbatch option becomes a job property. */
interface OptionRule {
  readonly long: string;
  readonly short?: string;
  /** `required`: `--x v`/`--x=v`/`-xv`; `none`: a flag; `optional`: only `--x=v` takes a value. */
  readonly value: "required" | "none" | "optional";
  apply(job: JobProperties, value: string | undefined, option: string): void;
}

const text = (field: string) => (job: JobProperties, value: string | undefined) => {
  job[field] = value ?? "";
};
const integer = (field: string) => (job: JobProperties, value: string | undefined, option: string) => {
  job[field] = parseInteger(value, option);
};
const megabytes = (field: string) => (job: JobProperties, value: string | undefined, option: string) => {
  job[field] = parseMegabytes(value ?? "", option);
};
const minutes = (field: string) => (job: JobProperties, value: string | undefined, option: string) => {
  job[field] = parseMinutes(value ?? "", option);
};
const flag = (field: string, set: boolean) => (job: JobProperties) => {
  job[field] = set;
};

/**
 * The sbatch options daskq translates for slurmrestd (OpenAPI v0.0.37 and v0.0.38 share these
 * fields). slurmrestd does NOT read `#SBATCH` lines in the script: sbatch does that on the client
 * side, so the REST client must send them as job properties. An option not listed here is refused
 * rather than silently dropped.
 */
const RULES: readonly OptionRule[] = [
  { long: "job-name", short: "J", value: "required", apply: text("name") },
  { long: "partition", short: "p", value: "required", apply: text("partition") },
  { long: "account", short: "A", value: "required", apply: text("account") },
  { long: "ntasks", short: "n", value: "required", apply: integer("tasks") },
  { long: "nodes", short: "N", value: "required", apply: (job, value, option) => (job["nodes"] = parseNodeRange(value ?? "", option)) },
  { long: "cpus-per-task", short: "c", value: "required", apply: integer("cpus_per_task") },
  { long: "ntasks-per-node", value: "required", apply: integer("tasks_per_node") },
  { long: "mem", value: "required", apply: megabytes("memory_per_node") },
  { long: "mem-per-cpu", value: "required", apply: megabytes("memory_per_cpu") },
  { long: "mem-per-gpu", value: "required", apply: megabytes("memory_per_gpu") },
  { long: "time", short: "t", value: "required", apply: minutes("time_limit") },
  { long: "time-min", value: "required", apply: minutes("time_minimum") },
  { long: "output", short: "o", value: "required", apply: text("standard_output") },
  { long: "error", short: "e", value: "required", apply: text("standard_error") },
  { long: "chdir", short: "D", value: "required", apply: text("current_working_directory") },
  { long: "qos", short: "q", value: "required", apply: text("qos") },
  { long: "constraint", short: "C", value: "required", apply: text("constraints") },
  { long: "gres", value: "required", apply: text("gres") },
  { long: "gpus", short: "G", value: "required", apply: text("gpus") },
  { long: "gpus-per-node", value: "required", apply: text("gpus_per_node") },
  { long: "gpus-per-task", value: "required", apply: text("gpus_per_task") },
  { long: "cpus-per-gpu", value: "required", apply: text("cpus_per_gpu") },
  { long: "licenses", short: "L", value: "required", apply: text("licenses") },
  { long: "reservation", value: "required", apply: text("reservation") },
  { long: "wckey", value: "required", apply: text("wckey") },
  { long: "comment", value: "required", apply: text("comment") },
  { long: "mail-type", value: "required", apply: text("mail_type") },
  { long: "mail-user", value: "required", apply: text("mail_user") },
  { long: "nice", value: "optional", apply: (job, value, option) => (job["nice"] = value === undefined ? 100 : parseInteger(value, option, true)) },
  { long: "exclusive", value: "optional", apply: (job, value, option) => (job["exclusive"] = exclusiveValue(value, option)) },
  { long: "requeue", value: "none", apply: flag("requeue", true) },
  { long: "no-requeue", value: "none", apply: flag("requeue", false) },
  { long: "hold", short: "H", value: "none", apply: flag("hold", true) },
];

const BY_LONG = new Map(RULES.map((r) => [r.long, r]));
const BY_SHORT = new Map(RULES.filter((r) => r.short).map((r) => [r.short as string, r]));

/** The options `jobProperties` understands, for error messages. */
export const KNOWN_OPTIONS: readonly string[] = RULES.map((r) => (r.short ? `-${r.short}/--${r.long}` : `--${r.long}`));

/**
 * The job properties of a job's `#SBATCH` lines (as `readDirectives` of backend-slurm splits them,
 * quotes removed): later options win, as in sbatch.
 *
 * @throws ConfigError naming `job-extra-directives` for an option that has no translation, a
 *   missing value, or a value of the wrong form.
 */
export function jobProperties(directives: readonly (readonly string[])[]): JobProperties {
  const job: JobProperties = {};
  for (const words of directives) {
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      const found = findRule(word);
      if (!found) throw refused(word, `it is not an option daskq can send through slurmrestd (known: ${KNOWN_OPTIONS.join(", ")})`);
      const { rule, option } = found;
      let value = found.value;
      if (value === undefined && rule.value === "required") {
        value = words[i + 1];
        if (value === undefined) throw refused(option, "it needs a value");
        i++;
      }
      if (value !== undefined && rule.value === "none") throw refused(option, "it takes no value");
      rule.apply(job, value, option);
    }
  }
  return job;
}

function findRule(word: string): { rule: OptionRule; option: string; value: string | undefined } | undefined {
  if (word.startsWith("--")) {
    const eq = word.indexOf("=");
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const rule = BY_LONG.get(name);
    return rule && { rule, option: `--${name}`, value: eq < 0 ? undefined : word.slice(eq + 1) };
  }
  if (!word.startsWith("-") || word.length < 2) return undefined;
  const rule = BY_SHORT.get(word[1] as string);
  if (!rule) return undefined;
  const attached = word.slice(2);
  if (attached !== "" && rule.value !== "required") return undefined;
  return { rule, option: `-${word[1]}`, value: attached === "" ? undefined : attached };
}

function refused(option: string, why: string): ConfigError {
  return new ConfigError(`#SBATCH ${option} cannot be sent to slurmrestd: ${why}`, { keyPath: "job-extra-directives" });
}

function parseInteger(value: string | undefined, option: string, signed = false): number {
  const pattern = signed ? /^[+-]?\d+$/ : /^\d+$/;
  if (value === undefined || !pattern.test(value)) throw refused(option, `expected ${signed ? "an" : "a non-negative"} integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

const UNIT_MB: Readonly<Record<string, number>> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/** An sbatch size (`15G`, `477M`, `2048`: MB by default; K/M/G/T are 1024-based) in whole MB, rounded up. */
export function parseMegabytes(value: string, option = "--mem"): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?B?$/i.exec(value);
  if (!m) throw refused(option, `expected a size such as 15G or 500M, got ${JSON.stringify(value)}`);
  return Math.ceil(Number(m[1]) * (UNIT_MB[(m[2] ?? "M").toUpperCase()] as number));
}

/**
 * An sbatch time (`M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`) in whole minutes, rounded up as
 * slurmctld does; `INFINITE`/`UNLIMITED` are refused (leave `-t` out for the partition's limit).
 */
export function parseMinutes(value: string, option = "--time"): number {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(value);
  if (!m) throw refused(option, `expected a time such as 01:00:00 or 2-00:00:00, got ${JSON.stringify(value)}`);
  const [days, a, b, c] = [m[1], m[2], m[3], m[4]].map((p) => (p === undefined ? undefined : Number(p)));
  let seconds: number;
  if (days !== undefined) seconds = days * 86_400 + (a ?? 0) * 3600 + (b ?? 0) * 60 + (c ?? 0);
  else if (c !== undefined) seconds = (a ?? 0) * 3600 + (b ?? 0) * 60 + c;
  else seconds = (a ?? 0) * 60 + (b ?? 0);
  return Math.ceil(seconds / 60);
}

function parseNodeRange(value: string, option: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!m) throw refused(option, `expected a node count such as 1 or 1-4, got ${JSON.stringify(value)}`);
  const min = Number(m[1]);
  return [min, m[2] === undefined ? min : Number(m[2])];
}

function exclusiveValue(value: string | undefined, option: string): string {
  if (value === undefined) return "true";
  if (value === "user" || value === "mcs") return value;
  throw refused(option, `expected --exclusive, --exclusive=user or --exclusive=mcs, got ${JSON.stringify(value)}`);
}
