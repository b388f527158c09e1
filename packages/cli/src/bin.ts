#!/usr/bin/env node
import "reflect-metadata";
import { dropOutputWhenReaderCloses } from "./closed-output.js";
import { main } from "./main.js";

dropOutputWhenReaderCloses(process.stdout);
dropOutputWhenReaderCloses(process.stderr);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; do not let a stray handle keep the command alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(`daskq: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
