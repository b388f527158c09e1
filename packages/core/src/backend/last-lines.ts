/** The last `lines` lines of `text` without trailing blank space (for `Backend.logTail`); undefined stays undefined. */
export function lastLines(text: string | undefined, lines: number): string | undefined {
  return text === undefined ? undefined : text.trimEnd().split("\n").slice(-lines).join("\n");
}
