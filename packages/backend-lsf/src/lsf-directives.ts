import { ConfigError } from "@daskq/core";

/** The prefix of LSF header lines. */
export const BSUB = "#BSUB";

/** Characters that stand for themselves in a `#BSUB` line; other values are double-quoted. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Line breaks, NUL and other control characters (tab excepted). */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** Quotes and backslashes: bsub's directive parser gives them meaning, and there is no documented escape. */
const QUOTING = /["'\\]/;

/**
 * Refuses values that cannot be written into one `#BSUB` line: control characters (a line break
 * would end the directive and could start another one), quotes and backslashes (bsub reads
 * `-R "span[hosts=1]"`-style quoting, and documents no escape for a quote inside a value).
 *
 * @param key the config key the value came from, named in the error.
 * @throws ConfigError naming `key`.
 */
export function checkDirectiveValue(value: string, key: string): void {
  const bad = CONTROL.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new ConfigError(`${JSON.stringify(value)} contains the control character \\x${code}, which cannot be written into an LSF #BSUB directive`, {
      keyPath: key,
    });
  }
  const quote = QUOTING.exec(value);
  if (quote) {
    throw new ConfigError(`${JSON.stringify(value)} contains ${quote[0]}, which would break an LSF #BSUB directive (bsub has no escape for it)`, {
      keyPath: key,
    });
  }
}

/**
 * One value as a single word of a `#BSUB` line: bare when it is a plain word, double-quoted
 * otherwise (or always, with `quote`, as dask-jobqueue writes `-P "project"`).
 *
 * @throws ConfigError naming `key` for values `checkDirectiveValue` refuses, or an empty value.
 */
export function directiveWord(value: string, key: string, quote = false): string {
  checkDirectiveValue(value, key);
  if (value === "") throw new ConfigError("expected a value, got an empty string", { keyPath: key });
  return quote || !BARE.test(value) ? `"${value}"` : value;
}

/**
 * The words of the `#BSUB` lines at the top of a script, split the way bsub splits them: blanks
 * separate words, single and double quotes group (and are removed), an unquoted `#` starts a
 * comment. Like bsub reading a script on standard input, reading stops at the first command.
 */
export function readDirectives(script: string): string[][] {
  const result: string[][] = [];
  const lines = script.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === "" || (n === 0 && line.startsWith("#!"))) continue;
    if (/^#BSUB(\s|$)/.test(line)) {
      result.push(splitWords(line.slice(BSUB.length)));
      continue;
    }
    if (line.startsWith("#")) continue;
    break;
  }
  return result;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "#") {
      break;
    } else {
      inWord = true;
      if (c === '"' || c === "'") quote = c;
      else word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The value of the last of `options` (e.g. `-o`, `-oo`) among directive words; undefined if none. */
export function optionValue(directives: readonly string[][], ...options: string[]): string | undefined {
  let value: string | undefined;
  for (const words of directives) {
    for (let i = 0; i < words.length; i++) {
      if (options.includes(words[i] as string) && words[i + 1] !== undefined) value = words[++i];
    }
  }
  return value;
}
