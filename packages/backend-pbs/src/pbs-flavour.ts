import { DaskqError, type CommandRunner } from "@daskq/core";

/** The PBS family members this backend speaks to. */
export type PbsFlavour = "pro" | "torque" | "moab";

/** The `flavour` config value: a flavour, or `auto` to ask `qstat --version` once. */
export type PbsFlavourSetting = PbsFlavour | "auto";

export const FLAVOUR_SETTINGS: readonly PbsFlavourSetting[] = ["auto", "pro", "torque", "moab"];

/** The commands and conventions of one flavour. */
export interface FlavourCommands {
  readonly submit: string;
  readonly status: string;
  readonly cancel: string;
  /** qsub option that makes an array (`-J` Pro, `-t` Torque); undefined: no arrays. */
  readonly arrayOption: string | undefined;
  /** Environment variable holding a subjob's index. */
  readonly arrayVariable: string | undefined;
  /** Human name, for messages. */
  readonly label: string;
}

export const FLAVOURS: Readonly<Record<PbsFlavour, FlavourCommands>> = {
  // PBS Pro / OpenPBS: qsub(1B) -J X-Y[:Z][%max], $PBS_ARRAY_INDEX; qstat -f -F json; qdel.
  pro: { submit: "qsub", status: "qstat", cancel: "qdel", arrayOption: "-J", arrayVariable: "PBS_ARRAY_INDEX", label: "PBS Pro/OpenPBS" },
  // Torque: qsub(1B) -t X-Y[%slots], $PBS_ARRAYID; qstat -f; qdel.
  torque: { submit: "qsub", status: "qstat", cancel: "qdel", arrayOption: "-t", arrayVariable: "PBS_ARRAYID", label: "Torque" },
  // Moab: msub, showq --xml, canceljob. Moab job arrays need ENABLEJOBARRAYS and differ from Torque's: not used.
  moab: { submit: "msub", status: "showq", cancel: "canceljob", arrayOption: undefined, arrayVariable: undefined, label: "Moab" },
};

/**
 * The flavour a `qstat --version` answer names, from stdout and stderr together:
 * PBS Pro/OpenPBS print `pbs_version = 22.05.11` on stdout (PRINT_VERSION_AND_EXIT in pbs_version.h);
 * Torque prints `Version: 6.1.3` and `Commit: <hash>` on STDERR (src/cmds/qstat.c; older Torque
 * prints `version: 2.5.13`). Undefined when it is neither.
 */
export function flavourFromVersion(output: string): PbsFlavour | undefined {
  if (/\bpbs_version\s*=\s*\S/i.test(output)) return "pro";
  if (/^\s*version:\s*\d/im.test(output)) return "torque";
  return undefined;
}

/**
 * Asks `qstat --version` which flavour this is. Moab cannot be told apart from the Torque it
 * usually runs on: set `flavour: moab` for it.
 *
 * @throws DaskqError when qstat cannot be run or its answer names no known flavour.
 */
export async function detectFlavour(runner: CommandRunner): Promise<PbsFlavour> {
  let said: string;
  try {
    const result = await runner.run("qstat", ["--version"], { timeoutMs: 30_000 });
    said = `${result.stdout}\n${result.stderr}`;
  } catch (error) {
    throw new DaskqError("pbs", `could not run 'qstat --version' to tell PBS Pro from Torque: ${(error as Error).message}. Set jobqueue.pbs.flavour to pro, torque or moab`, { cause: error });
  }
  const flavour = flavourFromVersion(said);
  if (!flavour) {
    const shown = said.trim().split("\n").slice(0, 3).join(" | ") || "(no output)";
    throw new DaskqError("pbs", `'qstat --version' printed neither a PBS Pro nor a Torque version (${shown}). Set jobqueue.pbs.flavour to pro, torque or moab`);
  }
  return flavour;
}
