import { DaskqError } from "@daskq/core";

/** The claims of a Slurm JWT that the client can check before asking the server. */
export interface TokenClaims {
  /** `sun`: the Slurm user the token was made for (`scontrol token username=...`), when present. */
  readonly user: string | undefined;
  /** `exp`: expiry, seconds since the epoch, when present. */
  readonly expires: number | undefined;
}

/**
 * Reads the claims of a JSON Web Token WITHOUT checking its signature (only slurmctld holds the
 * key). Nothing of the token itself ever goes into an error message.
 *
 * @throws DaskqError when the text is not a JWT (three base64url parts, a JSON object in the middle).
 */
export function readTokenClaims(token: string): TokenClaims {
  const parts = token.split(".");
  const notJwt = (why: string) =>
    new DaskqError("slurmrest", `the token (${token.length} characters) is not a JSON Web Token: ${why}; make one with \`scontrol token\``);
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw notJwt("expected three base64url parts separated by dots");
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8"));
  } catch {
    throw notJwt("its payload is not JSON");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw notJwt("its payload is not a JSON object");
  const { sun, exp } = claims as { sun?: unknown; exp?: unknown };
  return { user: typeof sun === "string" ? sun : undefined, expires: typeof exp === "number" ? exp : undefined };
}

/**
 * Refuses a token that cannot work, before any request: expired, or made for another user than the
 * one daskq would name in `X-SLURM-USER-NAME`.
 *
 * @param nowSeconds the current time, seconds since the epoch.
 * @throws DaskqError saying what is wrong and how to get a new token.
 */
export function checkTokenClaims(claims: TokenClaims, user: string, nowSeconds: number): void {
  if (claims.expires !== undefined && claims.expires <= nowSeconds) {
    const ago = Math.round(nowSeconds - claims.expires);
    throw new DaskqError(
      "slurmrest",
      `the JWT for user ${claims.user ?? user} expired at ${new Date(claims.expires * 1000).toISOString()} (${ago} s ago); ` +
        "make a new one with `scontrol token lifespan=<seconds>` and pass it as `token` or SLURM_JWT",
    );
  }
  if (claims.user !== undefined && claims.user !== user) {
    throw new DaskqError(
      "slurmrest",
      `the JWT was made for user ${claims.user}, but \`user\` is ${user}; set user: ${claims.user} or use a token made for ${user}`,
    );
  }
}
