import type { ConfigKey } from "../config/config-key.js";
import { configKeyPath } from "../config/config-key.js";

/** What a state file holds in place of a secret backend option (a token, a password): where it came from, never its value. */
export interface SecretReference {
  /** The key path, e.g. `jobqueue.unicore.token`. */
  readonly secret: string;
}

/**
 * The backend options as a cluster's state file records them: every `secret` key's value replaced
 * by a `SecretReference`. State files outlive the process (backups, shared home directories), so a
 * credential never goes there. A backend rebuilt from the record (the watchdog, `daskq cleanup`)
 * goes without it: it works when the backend takes the credential from the environment (the
 * `*-env` keys), which the watchdog inherits from its owner.
 */
export function recordedBackendOptions(options: Readonly<Record<string, unknown>>, keys: readonly ConfigKey[], section: string): Record<string, unknown> {
  const secret = new Set(keys.filter((k) => k.secret).map((k) => k.name));
  return Object.fromEntries(
    Object.entries(options).map(([name, value]): [string, unknown] => [name, secret.has(name) ? ({ secret: configKeyPath(section, name) } satisfies SecretReference) : value]),
  );
}

/** Recorded backend options without their secret references (see `recordedBackendOptions`), and the key paths left out. */
export function optionsWithoutSecrets(recorded: Readonly<Record<string, unknown>>): { options: Record<string, unknown>; withheld: string[] } {
  const options: Record<string, unknown> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(recorded)) {
    const reference = value as Partial<SecretReference> | null;
    if (typeof value === "object" && value !== null && Object.keys(value).length === 1 && typeof reference?.secret === "string") withheld.push(reference.secret);
    else options[name] = value;
  }
  return { options, withheld };
}
