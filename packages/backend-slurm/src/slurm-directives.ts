import { ConfigError } from "@daskq/core";

/** The prefix of Slurm header lines. */
export const SBATCH = "#SBATCH";

/** Characters that stand for themselves in an `#SBATCH` line; everything else is double-quoted. */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** Line breaks, NUL and other control characters (tab excepted): no quoting can carry them. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * One value as a single word of an `#SBATCH` line. sbatch (not the shell) splits these lines: it
 * honours single and double quotes, backslash escapes inside double quotes, and an unquoted `#`
 * starts a comment (`-J x#y` names the job `x`). So a value is written bare when that is safe and
 * double-quoted otherwise, with `"` and `\` escaped. Values that would break the line are refused.
 *
 * @param key the config key the value came from, named in the error.
 * @throws ConfigError for line breaks or other control characters.
 */
export function directiveWord(value: string, key: string): string {
  checkDirectiveValue(value, key);
  if (BARE.test(value)) return value;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Refuses values that cannot be part of one `#SBATCH` line. */
export function checkDirectiveValue(value: string, key: string): void {
  const bad = CONTROL.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new ConfigError(
      `${JSON.stringify(value)} contains the control character \\x${code}, which cannot be written into a Slurm #SBATCH directive`,
      { keyPath: key },
    );
  }
}

/**
 * The words of the `#SBATCH` lines at the top of a script, split the way sbatch splits them:
 * quotes removed, backslash escapes resolved, `#` comments dropped. Like sbatch, reading stops at
 * the first line that is neither blank nor a comment.
 */
export function readDirectives(script: string): string[][] {
  const result: string[][] = [];
  for (const line of script.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith("#")) break;
    if (!trimmed.startsWith(`${SBATCH} `) && !trimmed.startsWith(`${SBATCH}\t`)) continue;
    result.push(splitWords(trimmed.slice(SBATCH.length)));
  }
  return result;
}

function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length) word += text[++i];
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
      else if (c === "\\") {
        if (i + 1 < text.length) word += text[++i];
      } else word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}
