/**
 * PBS job ids (qstat(1B) OPERANDS): a job `<seq>[.<server>]`, an array `<seq>[][.<server>]`, a
 * subjob `<seq>[<index>][.<server>]`. The server part is whatever qsub printed (a host name, maybe
 * with dots).
 */
export type PbsJobId =
  | { readonly kind: "job"; readonly seq: string; readonly server: string | undefined }
  | { readonly kind: "array"; readonly seq: string; readonly server: string | undefined }
  | { readonly kind: "subjob"; readonly seq: string; readonly index: number; readonly server: string | undefined };

const ID = /^(\d+)(?:\[(\d*)\])?(?:\.([^\s\[\]]+))?$/;

/** Parses a PBS job id; undefined for anything else (ranges `1[2-5]`, Moab names, garbage). */
export function parsePbsJobId(id: string): PbsJobId | undefined {
  const m = ID.exec(id.trim());
  if (!m) return undefined;
  const seq = m[1] as string;
  const server = m[3];
  if (m[2] === undefined) return { kind: "job", seq, server };
  if (m[2] === "") return { kind: "array", seq, server };
  return { kind: "subjob", seq, index: Number(m[2]), server };
}

/** Formats a parsed id back (the server part kept as given). */
export function formatPbsJobId(id: PbsJobId): string {
  const suffix = id.server === undefined ? "" : `.${id.server}`;
  if (id.kind === "job") return `${id.seq}${suffix}`;
  if (id.kind === "array") return `${id.seq}[]${suffix}`;
  return `${id.seq}[${id.index}]${suffix}`;
}

/** The array id of a subjob (`124[3].s` -> `124[].s`); undefined for other ids. */
export function arrayOf(id: string): string | undefined {
  const parsed = parsePbsJobId(id);
  return parsed?.kind === "subjob" ? formatPbsJobId({ kind: "array", seq: parsed.seq, server: parsed.server }) : undefined;
}

/** The ids of subjobs `first` .. `first + count - 1` of array `arrayId` (`124[].s` -> `124[0].s` ...). */
export function subjobIds(arrayId: PbsJobId & { kind: "array" }, count: number, first = 0): string[] {
  return Array.from({ length: count }, (_, i) => formatPbsJobId({ kind: "subjob", seq: arrayId.seq, index: first + i, server: arrayId.server }));
}

/**
 * A key that ignores the server part (`124[3]`), to match qstat's ids with ours when the server is
 * spelled differently (short name and FQDN). Undefined for ids that are not PBS ids.
 */
export function sequenceKey(id: string): string | undefined {
  const parsed = parsePbsJobId(id);
  if (!parsed) return undefined;
  return parsed.kind === "job" ? parsed.seq : parsed.kind === "array" ? `${parsed.seq}[]` : `${parsed.seq}[${parsed.index}]`;
}
