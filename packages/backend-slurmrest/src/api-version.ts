import { DaskqError } from "@daskq/core";

/**
 * The OpenAPI plugin versions of slurmrestd this client speaks, newest first. v0.0.37 and v0.0.38
 * (Slurm 21.08-23.02) have the same job submission, job list and cancel shapes for every field daskq
 * uses; both are tested against the real slurmrestd 22.05. v0.0.36 names the output fields
 * differently and v0.0.39+ changed the job record, so they are not claimed.
 */
export const SUPPORTED_VERSIONS: readonly string[] = ["v0.0.38", "v0.0.37"];

/**
 * The `slurm` plugin versions a server offers, read from its OpenAPI document (`GET /openapi`):
 * every `/slurm/<version>/job/submit` path. Newest first.
 */
export function offeredVersions(openapi: unknown): string[] {
  const paths = (openapi as { paths?: unknown } | null)?.paths;
  if (typeof paths !== "object" || paths === null) return [];
  const found = new Set<string>();
  for (const path of Object.keys(paths)) {
    const m = /^\/slurm\/(v\d+\.\d+\.\d+)\/job\/submit$/.exec(path);
    if (m) found.add(m[1] as string);
  }
  return [...found].sort(compareVersions).reverse();
}

/** Orders `v0.0.37` before `v0.0.38` before `v0.0.40` (numerically, part by part). */
export function compareVersions(a: string, b: string): number {
  const pa = a.slice(1).split(".").map(Number);
  const pb = b.slice(1).split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The version to speak: `pinned` when given (it must be offered and supported), else the newest
 * version both sides have.
 *
 * @throws DaskqError listing both sides' versions when there is none.
 */
export function chooseVersion(offered: readonly string[], endpoint: string, pinned?: string): string {
  const both = SUPPORTED_VERSIONS.filter((v) => offered.includes(v));
  const sides = `slurmrestd at ${endpoint} offers ${offered.join(", ") || "no slurm plugin"}; daskq speaks ${SUPPORTED_VERSIONS.join(", ")}`;
  if (pinned !== undefined) {
    if (both.includes(pinned)) return pinned;
    throw new DaskqError("slurmrest", `api-version ${pinned} cannot be used: ${sides}`);
  }
  const newest = both[0];
  if (newest === undefined) {
    throw new DaskqError("slurmrest", `no OpenAPI version in common: ${sides} (start slurmrestd with -s openapi/v0.0.38 or openapi/v0.0.37)`);
  }
  return newest;
}
