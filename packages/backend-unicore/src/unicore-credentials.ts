import { inspect } from "node:util";
import { ConfigError, configKeyPath } from "@daskq/core";

/** Where a credential came from, for messages (the secret itself is never shown). */
export type CredentialSource = "config" | `env ${string}`;

/**
 * UNICORE credentials: HTTP Basic (username + password) or a Bearer token (OIDC or a UNICORE JWT).
 * The secret lives in a private field; `toString`, `toJSON` and `util.inspect` show only the kind
 * and where it came from, so it is never printed or logged.
 */
export class UnicoreCredentials {
  readonly #header: string;

  private constructor(
    header: string,
    /** `basic demouser (password from env UNICORE_PASSWORD)` or `bearer token (from config)`. */
    readonly description: string,
  ) {
    this.#header = header;
  }

  /** HTTP Basic. */
  static basic(username: string, password: string, source: CredentialSource, section = "unicore"): UnicoreCredentials {
    if (username.includes(":")) throw new ConfigError(`a UNICORE username cannot contain ':' (HTTP Basic)`, { keyPath: configKeyPath(section, "username") });
    return new UnicoreCredentials(`Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`, `basic ${username} (password from ${source})`);
  }

  /** A Bearer token. */
  static bearer(token: string, source: CredentialSource): UnicoreCredentials {
    return new UnicoreCredentials(`Bearer ${token.trim()}`, `bearer token (from ${source})`);
  }

  /** The `Authorization` header value. Only the HTTP client calls this. */
  authorization(): string {
    return this.#header;
  }

  toString(): string {
    return `UnicoreCredentials(${this.description})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The credential settings of the config (`jobqueue.<section>.*`). */
export interface CredentialSettings {
  /** The config section they come from, named in errors; default `unicore`. */
  readonly section?: string;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
  /** Name of the environment variable holding the password. Default `UNICORE_PASSWORD`. */
  readonly passwordEnv?: string;
  /** Name of the environment variable holding the token. Default `UNICORE_TOKEN`. */
  readonly tokenEnv?: string;
}

/**
 * Chooses the credentials: a token (config, else its env variable) wins; else username with a
 * password (config, else its env variable). No credentials is a configuration error that says
 * which keys and variables were looked at.
 */
export function resolveCredentials(settings: CredentialSettings, env: NodeJS.ProcessEnv = process.env): UnicoreCredentials {
  const tokenEnv = settings.tokenEnv ?? "UNICORE_TOKEN";
  const passwordEnv = settings.passwordEnv ?? "UNICORE_PASSWORD";
  const section = settings.section ?? "unicore";
  const path = (key: string) => configKeyPath(section, key);
  if (settings.token) return UnicoreCredentials.bearer(settings.token, "config");
  const envToken = env[tokenEnv];
  if (envToken) return UnicoreCredentials.bearer(envToken, `env ${tokenEnv}`);
  if (settings.username) {
    if (settings.password) return UnicoreCredentials.basic(settings.username, settings.password, "config", section);
    const envPassword = env[passwordEnv];
    if (envPassword) return UnicoreCredentials.basic(settings.username, envPassword, `env ${passwordEnv}`, section);
    throw new ConfigError(`username is set but no password: set ${path("password")} or the environment variable ${passwordEnv}`, {
      keyPath: path("password"),
    });
  }
  throw new ConfigError(
    `no UNICORE credentials: set ${path("token")} (or the environment variable ${tokenEnv}), or ${path("username")} with a password (or ${passwordEnv})`,
    { keyPath: `jobqueue.${section}` },
  );
}
