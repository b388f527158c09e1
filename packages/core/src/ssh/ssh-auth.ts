import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from "ssh2";
import type { SshEndpoint } from "./ssh-endpoint.js";

/** The environment variable read for a key file's passphrase. */
export const PASSPHRASE_ENV = "DASKQ_SSH_PASSPHRASE";

/** Where authentication secrets come from. */
export interface SshAuthOptions {
  /** Environment (for `DASKQ_SSH_PASSPHRASE`); default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Asks for a key's passphrase; default: a hidden prompt when stdin is a terminal, else none. */
  readonly promptPassphrase?: (keyFile: string) => Promise<string | undefined>;
  /** Home directory for the default key files; default the user's. */
  readonly homeDir?: string;
}

/** An ssh2 auth handler, and what it tried (for the error when every method failed). */
export interface SshAuthPlan {
  readonly handler: AuthHandlerMiddleware;
  /** One line per method tried or skipped, e.g. `key /home/me/.ssh/id_ed25519: refused by the server`. */
  readonly attempts: string[];
}

/**
 * Authentication as OpenSSH users expect: the ssh-agent first (`IdentityAgent` or `SSH_AUTH_SOCK`),
 * then each key file (`IdentityFile`s, or when there are none the default `~/.ssh/id_rsa`,
 * `id_ecdsa`, `id_ed25519`). An encrypted key's passphrase comes from `DASKQ_SSH_PASSPHRASE`, else
 * from a prompt in a terminal; without either the key is skipped (and the final error says why).
 */
export function planSshAuth(endpoint: SshEndpoint, options: SshAuthOptions = {}): SshAuthPlan {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? homedir();
  const prompt = options.promptPassphrase ?? (process.stdin.isTTY ? promptHidden : async () => undefined);
  const files =
    endpoint.identityFiles.length > 0 ? endpoint.identityFiles : ["id_rsa", "id_ecdsa", "id_ed25519"].map((f) => join(home, ".ssh", f));
  const steps: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  const attempts: string[] = [];
  let last: string | undefined;
  if (endpoint.agent) {
    const agent = endpoint.agent;
    steps.push(async () => {
      last = `ssh-agent ${agent}: no key it holds was accepted`;
      return { type: "agent", username: endpoint.user, agent };
    });
  }
  for (const file of files) {
    steps.push(async () => {
      const key = await loadKey(file, env, prompt, attempts, endpoint.identityFiles.length > 0);
      if (key) last = `key ${file}: refused by the server`;
      return key && { type: "publickey", username: endpoint.user, key };
    });
  }
  const handler: AuthHandlerMiddleware = (_left, _partial, next) => {
    if (last) attempts.push(last);
    last = undefined;
    void (async () => {
      while (steps.length > 0) {
        const method = await (steps.shift() as () => Promise<AnyAuthMethod | undefined>)().catch((error: unknown) => {
          attempts.push((error as Error).message);
          return undefined;
        });
        if (method) return next(method);
      }
      next(false as unknown as AnyAuthMethod);
    })();
  };
  return { handler, attempts };
}

async function loadKey(
  file: string,
  env: NodeJS.ProcessEnv,
  prompt: (file: string) => Promise<string | undefined>,
  attempts: string[],
  configured: boolean,
): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    if (configured) attempts.push(`key ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return undefined;
  }
  let parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
    const passphrase = env[PASSPHRASE_ENV] ?? (await prompt(file));
    if (passphrase === undefined) {
      attempts.push(`key ${file}: it is encrypted; set ${PASSPHRASE_ENV} or run daskq in a terminal to be asked`);
      return undefined;
    }
    parsed = ssh2.utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      attempts.push(`key ${file}: wrong passphrase (${parsed.message})`);
      return undefined;
    }
  }
  if (parsed instanceof Error) {
    attempts.push(`key ${file}: cannot parse it: ${parsed.message}`);
    return undefined;
  }
  return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
}

/** Asks for a passphrase on the terminal without echoing it. */
async function promptHidden(file: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return undefined;
  process.stderr.write(`Enter passphrase for key '${file}': `);
  return new Promise((resolve) => {
    let typed = "";
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish(typed);
        if (char === "\u0003") return finish(undefined);
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const finish = (value: string | undefined) => {
      stdin.off("data", onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    stdin.on("data", onData);
  });
}
