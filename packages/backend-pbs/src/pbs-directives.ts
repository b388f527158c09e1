import { ConfigError } from "@daskq/core";

/** The prefix of PBS header lines (qsub -C changes it; daskq never does). */
export const PBS = "#PBS";

/** Characters that stand for themselves in a `#PBS` line. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Line breaks, NUL and other control characters (tab excepted): no quoting can carry them. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * One value as a single word of a `#PBS` line. qsub splits directive lines into words like a shell
 * (blanks separate, quotes group; PBS Pro reports `qsub: unmatched "`), so a value is written bare
 * when that is safe, else in double quotes, or in single quotes when it holds a double quote.
 *
 * @param key the config key the value came from, named in the error.
 * @throws ConfigError for line breaks or other control characters, and for values holding both kinds of quote.
 */
export function directiveWord(value: string, key: string): string {
  checkDirectiveValue(value, key);
  if (BARE.test(value)) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw new ConfigError(`${JSON.stringify(value)} holds both ' and ", which cannot be quoted in a #PBS directive`, { keyPath: key });
}

/** Refuses values that cannot be part of one `#PBS` line. */
export function checkDirectiveValue(value: string, key: string): void {
  const bad = CONTROL.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new ConfigError(`${JSON.stringify(value)} contains the control character \\x${code}, which cannot be written into a #PBS directive`, {
      keyPath: key,
    });
  }
}
