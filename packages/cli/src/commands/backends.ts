import { listBackends } from "@daskq/core";
import type { DependencyContainer } from "tsyringe";

/** `daskq backends`: the installed backends. */
export async function backends(argv: string[], container: DependencyContainer): Promise<number> {
  const all = listBackends(container).sort((a, b) => a.name.localeCompare(b.name));
  if (argv.includes("--json")) process.stdout.write(`${JSON.stringify(all.map((b) => ({ name: b.name, description: b.description })))}\n`);
  else for (const b of all) process.stdout.write(`${b.name.padEnd(10)} ${b.description}\n`);
  return 0;
}
