// Runs many `daskq` invocations in ONE Node process (the built CLI's main()) and prints, as JSON, what
// each printed and its exit code. Used by output-snapshot.test.ts: one process instead of one per case.
// Usage: node render-outputs.mjs <cases.json>   (cases: [{ argv, env }]; env replaces process.env)
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { container } from "tsyringe";

const [casesFile, mainModule] = process.argv.slice(2);
const { main } = await import(mainModule);
const cases = JSON.parse(readFileSync(casesFile, "utf8"));
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const results = [];
for (const { argv, env } of cases) {
  let stdout = "";
  let stderr = "";
  const saved = process.env;
  process.env = { ...env };
  process.stdout.write = (chunk) => ((stdout += String(chunk)), true);
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true);
  let code;
  try {
    code = await main(argv, container.createChildContainer());
  } catch (error) {
    stderr += `unexpected error: ${error?.stack ?? String(error)}\n`;
    code = "threw";
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.env = saved;
  }
  results.push({ code, stdout, stderr });
}
write.out(JSON.stringify(results));
