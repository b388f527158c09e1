import { userInfo } from "node:os";
import { readSlurmOptions, SLURM_OPTIONS, type SlurmOptions } from "@daskq/backend-slurm";
import { configKey, configKeyPath, ConfigError, defineOptions, expected, schema as v, TEXT_OR_UNSET } from "@daskq/core";
import { readTokenClaims } from "./jwt.js";

/** The keys of `jobqueue.slurmrest`, declared once: Slurm's own (job-cpu, job-mem, arrays, ...) and how to reach slurmrestd. */
export const SLURMREST_OPTIONS = defineOptions({
  ...SLURM_OPTIONS.declared,
  url: configKey("string", {
    description: "slurmrestd over TCP, e.g. http://login1:6820 (JWT auth); or set socket",
    value: v.pipe(
      v.string(),
      v.check((url) => url === "" || /^https?:\/\/[^/\s]+/.test(url), expected("an http:// or https:// URL such as http://login1:6820")),
      TEXT_OR_UNSET,
    ),
  }),
  socket: configKey("string", { description: "slurmrestd's local unix socket (rest_auth/local, no token); or set url", value: TEXT_OR_UNSET }),
  token: configKey("string", { secret: true, description: "JWT for url (scontrol token); unset: $SLURM_JWT. Never shown or logged", value: TEXT_OR_UNSET }),
  user: configKey("string", { description: "X-SLURM-USER-NAME; unset: the token's user, else the local user", value: TEXT_OR_UNSET }),
  "api-version": configKey("string", {
    description: "OpenAPI plugin version to speak, e.g. v0.0.37; unset: the newest both sides have",
    value: v.pipe(v.string(), v.check((version) => version === "" || /^v\d+\.\d+\.\d+$/.test(version), expected("an OpenAPI plugin version such as v0.0.38")), TEXT_OR_UNSET),
  }),
  "request-timeout": configKey("walltime", {
    default: 30,
    description: "Time limit of one HTTP request",
    value: v.pipe(v.number(), v.gtValue(0, expected("a positive duration"))),
  }),
});

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
 * Reads the `jobqueue.<section>` values (kebab-case keys; Slurm's own keys such as `arrays` too).
 * The token is `token`, else `env.SLURM_JWT`.
 *
 * @throws ConfigError naming `jobqueue.<section>.<key>`: a value `SLURMREST_OPTIONS` rejects, neither
 *   or both of `url` and `socket`, a missing token with `url`, a token with `socket`.
 */
export function readSlurmRestOptions(values: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv = process.env, section = "slurmrest"): SlurmRestOptions {
  const o = SLURMREST_OPTIONS.read(values, { section });
  const keyPath = (key: string) => configKeyPath(section, key);
  const { url, socket } = o;
  if ((url === undefined) === (socket === undefined)) {
    throw new ConfigError(
      url === undefined
        ? "set either url (slurmrestd over TCP with a JWT, e.g. http://login1:6820) or socket (its local unix socket)"
        : "set url or socket, not both",
      { keyPath: keyPath(url === undefined ? "url" : "socket") },
    );
  }
  if (socket !== undefined && o.token !== undefined) {
    throw new ConfigError("a token is not used with socket (the local socket authenticates by user id); use url for JWT", { keyPath: keyPath("token") });
  }
  const token = o.token ?? (env["SLURM_JWT"] || undefined);
  let auth: SlurmRestOptions["auth"];
  if (url !== undefined) {
    if (token === undefined) {
      throw new ConfigError("slurmrestd over TCP needs a JWT: set token, or SLURM_JWT in the environment (make one with `scontrol token`)", { keyPath: keyPath("token") });
    }
    auth = { user: o.user ?? readTokenClaims(token).user ?? userInfo().username, token };
  }
  const timeout = o["request-timeout"];
  return { ...readSlurmOptions(values, section), url, socket, auth, apiVersion: o["api-version"], timeoutMs: timeout === undefined ? 30_000 : timeout * 1000 };
}
