import { DaskqError } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { checkTokenClaims, readTokenClaims } from "../src/jwt.js";
import { makeToken } from "./helpers.js";

describe("JWT claims", () => {
  it("reads sun and exp without checking the signature", () => {
    expect(readTokenClaims(makeToken({ exp: 1700000000, iat: 1699990000, sun: "root" }))).toEqual({ user: "root", expires: 1700000000 });
    expect(readTokenClaims(makeToken({}))).toEqual({ user: undefined, expires: undefined });
  });

  it("refuses text that is not a JWT, without echoing it", () => {
    for (const bad of ["garbage", "a.b", "a.%%%.c", `x.${Buffer.from("not json").toString("base64url")}.y`]) {
      const error = (() => {
        try {
          readTokenClaims(bad);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(DaskqError);
      expect(error?.message).toMatch(/^\[daskq:slurmrest\] the token \(\d+ characters\) is not a JSON Web Token/);
      expect(error?.message).not.toContain(bad);
    }
  });

  it("an expired token, or one for another user, fails before any request", () => {
    const now = 1_700_000_100;
    expect(() => checkTokenClaims({ user: "root", expires: 1_700_000_000 }, "root", now)).toThrow(
      "[daskq:slurmrest] the JWT for user root expired at 2023-11-14T22:13:20.000Z (100 s ago); make a new one with `scontrol token lifespan=<seconds>` and pass it as `token` or SLURM_JWT",
    );
    expect(() => checkTokenClaims({ user: "root", expires: now + 60 }, "alice", now)).toThrow(
      "[daskq:slurmrest] the JWT was made for user root, but `user` is alice; set user: root or use a token made for alice",
    );
    expect(() => checkTokenClaims({ user: "alice", expires: now + 60 }, "alice", now)).not.toThrow();
    expect(() => checkTokenClaims({ user: undefined, expires: undefined }, "alice", now)).not.toThrow();
  });
});
