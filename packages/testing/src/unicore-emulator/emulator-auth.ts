import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { UnicoreOperationError } from "./emulated-job.js";

/** Header carrying a security session (UNICORE-EU/use `SecuritySessionUtils.SESSION_ID_HEADER`). */
export const SESSION_HEADER = "x-unicore-securitysession";

/** Who is calling: a user, or `anonymous` (no credentials). */
export interface Caller {
  readonly user: string | undefined;
  /** Session to return in `X-UNICORE-SecuritySession`. */
  readonly session: string | undefined;
}

/**
 * Authentication as UNICORE's `AuthNHandler` (UNICORE-EU/use) does it: HTTP Basic or a Bearer token;
 * no credentials make the caller anonymous; credentials that cannot be verified are refused with
 * 403; a known security session stands for the credentials it was created with; an unknown or
 * expired session id is answered with 432, after which clients retry without it (pyunicore
 * `Transport.repeat_required`).
 */
export class EmulatorAuth {
  private readonly sessions = new Map<string, string>();

  constructor(
    private readonly users: Readonly<Record<string, string>>,
    private readonly tokens: Readonly<Record<string, string>>,
  ) {}

  authenticate(headers: IncomingHttpHeaders): Caller {
    const sessionId = headers[SESSION_HEADER];
    if (typeof sessionId === "string" && sessionId !== "") {
      const user = this.sessions.get(sessionId);
      if (!user) throw new UnicoreOperationError(432, "Security session expired or unknown");
      return { user, session: sessionId };
    }
    const user = this.verify(headers.authorization);
    if (!user) return { user: undefined, session: undefined };
    const session = randomUUID();
    this.sessions.set(session, user);
    return { user, session };
  }

  /** Forgets every session, as when their lifetime is over: the next use gets 432. */
  expireSessions(): void {
    this.sessions.clear();
  }

  private verify(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const [scheme, value = ""] = header.split(" ", 2);
    if (scheme?.toLowerCase() === "basic") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const user = decoded.slice(0, colon);
      if (colon > 0 && this.users[user] !== undefined && this.users[user] === decoded.slice(colon + 1)) return user;
    } else if (scheme?.toLowerCase() === "bearer") {
      const user = this.tokens[value];
      if (user) return user;
    }
    throw new UnicoreOperationError(403, "Authentication failed - credentials could not be verified.");
  }
}
