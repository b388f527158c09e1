/** Error codes of a write to an output whose reader has gone (`daskq backends | head -1`). */
const READER_GONE = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

/**
 * Makes a closed reader harmless: when whoever reads `stream` goes away, what is still written to it
 * is dropped quietly and the command ends as it would have (the shell convention for a pipe whose
 * reader closed early), instead of crashing on an unhandled `EPIPE`. Any other error still throws.
 */
export function dropOutputWhenReaderCloses(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (!READER_GONE.has(error.code ?? "")) throw error;
  });
}
