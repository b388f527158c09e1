import { ConfigError } from "@daskq/core";

/** The prefix of Grid Engine header lines (qsub's default `-C` prefix). */
export const QSUB_PREFIX = "#$";

/** Line breaks, NUL and other control characters (tab excepted): no quoting can carry them. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Characters qsub's directive parser gives a meaning that no quoting undoes (measured on SGE 8.1.9):
 * `#` starts a comment even inside quotes, and `"` and `'` are removed wherever they appear.
 */
const UNWRITABLE = /[#"']/;

const WHITESPACE = /[ \t]/;

/**
 * Refuses values that cannot be one word of a `#$` line.
 *
 * @param key the config key the value came from, named in the error.
 * @throws ConfigError for an empty value, control characters, `#`, `"` or `'`.
 */
export function checkDirectiveValue(value: string, key: string): void {
  if (typeof value !== "string" || value === "") {
    throw new ConfigError(`expected a non-empty string, got ${JSON.stringify(value)}`, { keyPath: key });
  }
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new ConfigError(
      `${JSON.stringify(value)} contains the control character \\x${code}, which cannot be written into a Grid Engine #$ directive`,
      { keyPath: key },
    );
  }
  const bad = UNWRITABLE.exec(value);
  if (bad) {
    const why = bad[0] === "#" ? "qsub reads it as the start of a comment" : "qsub removes quotes from directives";
    throw new ConfigError(`${JSON.stringify(value)} contains ${bad[0]}, which cannot be written into a Grid Engine #$ directive (${why})`, {
      keyPath: key,
    });
  }
}

/**
 * One value as a single word of a `#$` line: bare, or double-quoted when it holds spaces or tabs
 * (qsub honours double quotes around whitespace, not backslashes).
 *
 * @throws ConfigError naming `key` when the value cannot be written (see `checkDirectiveValue`).
 */
export function directiveWord(value: string, key: string): string {
  checkDirectiveValue(value, key);
  return WHITESPACE.test(value) ? `"${value}"` : value;
}

/**
 * A Grid Engine object name (queue list, project, parallel environment, resource request) as one
 * word: like `directiveWord`, but whitespace is refused too, since no such name can hold it.
 *
 * @throws ConfigError naming `key`.
 */
export function nameWord(value: string, key: string): string {
  checkDirectiveValue(value, key);
  if (WHITESPACE.test(value)) {
    throw new ConfigError(`${JSON.stringify(value)} contains whitespace, which Grid Engine names and requests cannot hold`, { keyPath: key });
  }
  return value;
}

/**
 * Refuses job names qsub would reject (measured on SGE 8.1.9): empty, non-ASCII or whitespace,
 * starting with a digit, or holding `/ : @ * ? \` (besides what no directive can hold).
 *
 * @throws ConfigError naming `key`.
 */
export function checkJobName(value: string, key = "name"): string {
  nameWord(value, key);
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigError(`${JSON.stringify(value)} is not a valid Grid Engine job name: only printable ASCII characters are allowed`, { keyPath: key });
  }
  if (/^\d/.test(value)) {
    throw new ConfigError(`${JSON.stringify(value)} is not a valid Grid Engine job name: it cannot start with a digit`, { keyPath: key });
  }
  const bad = /[/:@*?\\]/.exec(value);
  if (bad) {
    throw new ConfigError(`${JSON.stringify(value)} is not a valid Grid Engine job name: it cannot contain ${bad[0]}`, { keyPath: key });
  }
  return value;
}

/**
 * The words of every `#$` line of a script, split the way qsub splits them: whitespace separates
 * words, quotes group and are removed, `#` ends the line. Unlike sbatch, qsub reads `#$` lines
 * anywhere in the script, not only before the first command (measured), so every line counts.
 */
export function readDirectives(script: string): string[][] {
  const result: string[][] = [];
  for (const line of script.split("\n")) {
    if (!line.startsWith(QSUB_PREFIX)) continue;
    result.push(splitWords(line.slice(QSUB_PREFIX.length)));
  }
  return result;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (const c of text) {
    if (c === "#" || c === "\r") break;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      if (c === '"' || c === "'") quote = c;
      else word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}
