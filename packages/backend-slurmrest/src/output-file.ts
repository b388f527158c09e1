import { outputFileOf } from "@daskq/backend-slurm";

/**
 * The file job `id` writes its output to, read from the `#SBATCH` lines of the script it was
 * submitted with (`-o`, `-D`, `%x`/`%A`/`%a`/`%j` expanded as backend-slurm does); undefined when it
 * cannot be known for sure.
 */
export function outputFileOfJob(script: string, id: string): string | undefined {
  return outputFileOf(script.split("\n"), id);
}
