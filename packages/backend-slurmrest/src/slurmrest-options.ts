import { userInfo } from "node:os";
import { readSlurmOptions, type SlurmOptions } from "@daskq/backend-slurm";
import { ConfigError } from "@daskq/core";
import { readTokenClaims } from "./jwt.js";

/** How this backend reaches slurmrestd, and as whom. */
export interface SlurmRestOptions extends SlurmOptions {
  /** `url`: TCP, with JWT auth. */
  readonly url: string | undefined;
  /** `socket`: the local unix socket (rest_auth/local), no token. */
  readonly socket: string | undefined;
  /** JWT credentials with `url`: `user` (else the token's `sun` claim, else the local user) and the token. */
  readonly auth: { readonly user: string; readonly token: string } | undefined;
  /** `api-version`: speak this OpenAPI version instead of the newest common one. */
  readonly apiVersion: string | undefined;
  /** `request-timeout` in milliseconds. */
  readonly timeoutMs: number;
}

/**
 * Reads the `jobqueue.slurmrest` values (kebab-case keys; Slurm's own keys such as `arrays` too).
 * The token is `token`, else `env.SLURM_JWT`.
 *
 * @throws ConfigError naming the key: neither or both of `url` and `socket`, a URL that is not
 *   http(s), a missing token with `url`, a token with `socket`, a malformed `api-version`.
 */
export function readSlurmRestOptions(values: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv = process.env): SlurmRestOptions {
  const text = (key: string): string | undefined => {
    const v = values?.[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") throw new ConfigError(`expected a string, got ${JSON.stringify(v)}`, { keyPath: key });
    return v;
  };
  const url = text("url");
  const socket = text("socket");
  if ((url === undefined) === (socket === undefined)) {
    throw new ConfigError(
      url === undefined
        ? "set either url (slurmrestd over TCP with a JWT, e.g. http://login1:6820) or socket (its local unix socket)"
        : "set url or socket, not both",
      { keyPath: url === undefined ? "url" : "socket" },
    );
  }
  if (url !== undefined && !/^https?:\/\/[^/\s]+/.test(url)) {
    throw new ConfigError(`expected an http:// or https:// URL such as http://login1:6820, got ${JSON.stringify(url)}`, { keyPath: "url" });
  }
  const token = text("token") ?? (env["SLURM_JWT"] || undefined);
  if (socket !== undefined && text("token") !== undefined) {
    throw new ConfigError("a token is not used with socket (the local socket authenticates by user id); use url for JWT", { keyPath: "token" });
  }
  let auth: SlurmRestOptions["auth"];
  if (url !== undefined) {
    if (token === undefined) {
      throw new ConfigError("slurmrestd over TCP needs a JWT: set token, or SLURM_JWT in the environment (make one with `scontrol token`)", { keyPath: "token" });
    }
    auth = { user: text("user") ?? readTokenClaims(token).user ?? userInfo().username, token };
  }
  const apiVersion = text("api-version");
  if (apiVersion !== undefined && !/^v\d+\.\d+\.\d+$/.test(apiVersion)) {
    throw new ConfigError(`expected an OpenAPI plugin version such as v0.0.38, got ${JSON.stringify(apiVersion)}`, { keyPath: "api-version" });
  }
  const timeout = values?.["request-timeout"];
  if (timeout !== undefined && timeout !== null && (typeof timeout !== "number" || !(timeout > 0))) {
    throw new ConfigError(`expected a positive duration, got ${JSON.stringify(timeout)}`, { keyPath: "request-timeout" });
  }
  return {
    ...readSlurmOptions(values),
    url,
    socket,
    auth,
    apiVersion,
    timeoutMs: typeof timeout === "number" ? timeout * 1000 : 30_000,
  };
}
