import { DaskqError } from "./errors.js";
/**
 * Quotes a value as ONE shell word. Safe words stay bare for readability; anything else is
 * single-quoted, with embedded single quotes written as '\''. No value can break out of its word.
 */
export function shellQuote(value: string): string {
  if (value !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes a value and appends `${VARIABLE}` unquoted-safe (double-quoted), e.g. for array indices. */
export function shellQuoteWithVariable(prefix: string, variable: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new DaskqError("job", `invalid environment variable name: ${variable}`);
  return `${shellQuote(prefix)}"\${${variable}}"`;
}

/**
 * Quotes a value as ONE shell word but lets plain variable references (`$TMPDIR`, `${SCRATCH}`)
 * expand on the compute node, as dask-jobqueue users expect for `local-directory`. Anything else
 * that the shell would interpret inside double quotes (command substitution, backquotes,
 * backslashes, other `$` forms) makes it fall back to `shellQuote`, which expands nothing.
 */
export function shellQuoteExpandingVariables(value: string): string {
  const withoutVariables = value.replace(/\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})/g, "");
  if (withoutVariables === value || /[$`"\\!\n\r]/.test(withoutVariables)) return shellQuote(value);
  return `"${value}"`;
}
