/**
 * Sizes and durations as dask and the batch systems write them: `16GB`, `16GiB`, `01:30:00`, `1-00:00:00`, `90m`.
 * Parse errors are plain `Error`s whose message names the bad input and the accepted forms; the config
 * loader wraps them in a `ConfigError` that adds the file and key.
 */

/** How a batch system reads a two-part walltime `A:B`: `hours:minutes` (LSF `-W`) or `minutes:seconds` (Slurm `-t`). */
export type WalltimeTwoPart = "hours:minutes" | "minutes:seconds";

/** How a batch system reads a bare number as a walltime: minutes (Slurm `-t 30`, LSF `-W 30`) or seconds (PBS, SGE). */
export type WalltimeBareUnit = "minutes" | "seconds";

const SIZE_PREFIXES = ["k", "m", "g", "t", "p"] as const;

/** Lower-case unit → bytes, with dask's spellings: `kB`/`k` are 1000, `KiB`/`ki` are 1024, and so on up to peta. */
const BYTE_UNITS: ReadonlyMap<string, number> = new Map([
  ["", 1],
  ["b", 1],
  ...SIZE_PREFIXES.flatMap((prefix, i): [string, number][] => [
    [prefix, 1000 ** (i + 1)],
    [`${prefix}b`, 1000 ** (i + 1)],
    [`${prefix}i`, 1024 ** (i + 1)],
    [`${prefix}ib`, 1024 ** (i + 1)],
  ]),
]);

const SIZE_FORMS =
  "expected a number of bytes with an optional unit, e.g. 16GB (16e9 bytes), 16GiB (2^34 bytes) or 17179869184";
const SIZE_UNITS = "use B, kB, MB, GB, TB, PB (powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024)";

/**
 * Parses a size in bytes with the meaning of dask's `parse_bytes`: units are case-insensitive, `kB`/`k` … `PB`/`p`
 * are powers of 1000 and `KiB`/`ki` … `PiB`/`pi` powers of 1024, a space before the unit is optional and the
 * number may have decimals or an exponent (`5.4 kB`, `1e6`). A plain number is a number of bytes.
 *
 * @returns the size rounded to a whole number of bytes.
 * @throws Error when the input is not a non-negative size.
 */
export function parseBytes(value: string | number): number {
  if (typeof value === "number") return checkedBytes(value, String(value));
  const match = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  if (!match) throw new Error(`invalid size ${JSON.stringify(value)}: ${SIZE_FORMS}`);
  const [, number = "", unit = ""] = match;
  const multiplier = BYTE_UNITS.get(unit.toLowerCase());
  if (multiplier === undefined) {
    throw new Error(`invalid size ${JSON.stringify(value)}: unknown unit "${unit}"; ${SIZE_UNITS}, e.g. 16GB or 16GiB`);
  }
  return checkedBytes(Number(number) * multiplier, JSON.stringify(value));
}

function checkedBytes(bytes: number, shown: string): number {
  if (!Number.isFinite(bytes) || bytes < 0) throw new Error(`invalid size ${shown}: ${SIZE_FORMS}`);
  const rounded = Math.round(bytes);
  if (rounded > Number.MAX_SAFE_INTEGER) throw new Error(`invalid size ${shown}: too large (at most about 9 PB)`);
  return rounded;
}

const DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"] as const;
const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * Formats a size for display with two decimals. A size that is a whole number of the next smaller binary unit
 * (whole KiB below 1 GiB, whole MiB from 1 GiB, …) is shown in binary units, anything else in decimal units:
 * `2^34` → `16.00 GiB`, `16e9` → `16.00 GB`, `1536 MiB` → `1.50 GiB`, `512` → `512 B`.
 */
export function formatBytes(bytes: number): string {
  const n = Math.round(bytes);
  const binaryOrder = orderOf(n, 1024);
  if (binaryOrder > 0 && n % 1024 ** Math.max(1, binaryOrder - 1) === 0) {
    return `${(n / 1024 ** binaryOrder).toFixed(2)} ${BINARY_UNITS[binaryOrder]}`;
  }
  const decimalOrder = orderOf(n, 1000);
  if (decimalOrder === 0) return `${n} B`;
  return `${(n / 1000 ** decimalOrder).toFixed(2)} ${DECIMAL_UNITS[decimalOrder]}`;
}

/** The largest `i` (at most 5, peta) with `base ** i <= n`. */
function orderOf(n: number, base: number): number {
  let order = 0;
  while (order < 5 && n >= base ** (order + 1)) order++;
  return order;
}

/** `1d12h30m15s` with every part optional (at least one is checked for by the caller); decimals allowed. */
const UNIT_FORM = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/i;

function walltimeForms(twoPart: WalltimeTwoPart): string {
  return (
    `expected HH:MM:SS (e.g. 01:30:00), D-HH:MM:SS, D-HH:MM or D-HH (e.g. 1-12:00:00), ` +
    `${twoPart === "hours:minutes" ? "HH:MM" : "MM:SS"} (e.g. ${twoPart === "hours:minutes" ? "01:30" : "90:00"}), ` +
    `a unit form (e.g. 90m, 1h30m, 1.5h, 2d) or a bare number (read as the batch system reads it)`
  );
}

/**
 * Parses a wall-clock limit into seconds. Accepted forms:
 * - a number or a string of digits: in `bareUnit`, as the batch system reads it (Slurm and LSF:
 *   minutes, so `90` = 90 minutes, as dask-jobqueue passes it through; PBS and SGE: seconds);
 * - `HH:MM:SS`, and Slurm's `D-HH:MM:SS`, `D-HH:MM`, `D-HH` (hours may exceed 24 only without days);
 * - `A:B`, read as hours:minutes or minutes:seconds per `twoPart` (the batch system's own reading);
 * - unit forms with `d`, `h`, `m`, `s` in that order: `90m`, `1h30m`, `2h`, `3600s`, `1d`, `1.5h`.
 *
 * Minutes and seconds in colon forms must be below 60.
 *
 * @returns whole seconds (rounded).
 * @throws Error on negative numbers and anything else not listed above.
 */
export function parseWalltime(
  value: string | number,
  twoPart: WalltimeTwoPart = "hours:minutes",
  bareUnit: WalltimeBareUnit = "minutes",
): number {
  const shown = JSON.stringify(value);
  const fail = (why: string): never => {
    throw new Error(`invalid walltime ${shown}: ${why}${walltimeForms(twoPart)}`);
  };
  const scale = bareUnit === "minutes" ? 60 : 1;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) fail(`not a number of ${bareUnit} >= 0; `);
    return Math.round(value * scale);
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * scale;

  const checked = (days: number, hours: number, minutes: number, seconds: number): number => {
    if (minutes >= 60) fail("minutes must be below 60; ");
    if (seconds >= 60) fail("seconds must be below 60; ");
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
  };
  const withDays = /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(text);
  if (withDays) {
    const [d = 0, h = 0, m = 0, s = 0] = numbers(withDays);
    if (h >= 24) fail("hours must be below 24 after a day count; ");
    return checked(d, h, m, s);
  }
  const colons = /^(\d+):(\d+)(?::(\d+))?$/.exec(text);
  if (colons) {
    const [a = 0, b = 0, c] = numbers(colons);
    if (c !== undefined) return checked(0, a, b, c);
    if (twoPart === "hours:minutes") return checked(0, a, b, 0);
    // Leading minutes may exceed 59 (Slurm's "90:00"), as leading hours may exceed 23.
    return checked(0, 0, 0, b) + a * 60;
  }
  const units = UNIT_FORM.exec(text.replace(/\s+/g, ""));
  if (units && units.slice(1).some((part) => part !== undefined)) {
    const [d = 0, h = 0, m = 0, s = 0] = numbers(units);
    return Math.round(((d * 24 + h) * 60 + m) * 60 + s);
  }
  return fail("");
}

/** The capture groups of a match as numbers (undefined for groups that did not match). */
function numbers(match: RegExpExecArray): (number | undefined)[] {
  return match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
}

/** Formats seconds as `HH:MM:SS` (hours are not wrapped into days: 36 hours is `36:00:00`). */
export function formatWalltime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cannot format ${seconds} as a walltime`);
  const total = Math.round(seconds);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}
