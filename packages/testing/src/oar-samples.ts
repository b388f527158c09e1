import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where the golden samples of the real OAR live (written by testbed/oar-samples.sh). */
export const OAR_SAMPLES_DIR = fileURLToPath(new URL("../test/golden/oar/", import.meta.url));

/** One captured OAR command and its answer. */
export interface OarSample {
  /** The file's name without `.txt`, e.g. `oarstat-fJ-running`. */
  readonly name: string;
  /** The `# key: value` header: command, as, oar (version), captured (date), exit status. */
  readonly labels: Readonly<Record<string, string>>;
  readonly command: string;
  readonly exitStatus: number;
  readonly stdout: string;
  readonly stderr: string;
}

const STDOUT = "--- stdout ---\n";
const STDERR = "--- stderr ---\n";

/** Reads `<name>.txt` from the samples directory; a malformed file is an error naming it. */
export function readOarSample(name: string, dir: string = OAR_SAMPLES_DIR): OarSample {
  const file = `${dir}${name}.txt`;
  const text = readFileSync(file, "utf8");
  const out = text.indexOf(STDOUT);
  const err = text.indexOf(STDERR, out);
  if (out < 0 || err < 0) throw new Error(`[daskq:testing] ${file}: expected a '# key: value' header, then '${STDOUT.trim()}' and '${STDERR.trim()}' sections`);
  const labels: Record<string, string> = {};
  for (const line of text.slice(0, out).split("\n")) {
    const m = /^# ([a-z ]+): (.*)$/.exec(line);
    if (m) labels[m[1] as string] = m[2] as string;
  }
  const command = labels["command"];
  const exitStatus = Number(labels["exit status"]);
  if (command === undefined || !Number.isInteger(exitStatus)) throw new Error(`[daskq:testing] ${file}: the header needs '# command: ...' and '# exit status: <number>'`);
  return { name, labels, command, exitStatus, stdout: text.slice(out + STDOUT.length, err), stderr: text.slice(err + STDERR.length) };
}

/** The names of all samples in the directory. */
export function oarSampleNames(dir: string = OAR_SAMPLES_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".txt")).map((f) => f.slice(0, -4)).sort();
}
