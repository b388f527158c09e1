import { HttpJson, answerJson, withoutUserInfo, type HttpAnswer } from "@daskq/core";
import { sendResendingGetAfterReset } from "./resend-after-reset.js";
import { SecuritySession } from "./security-session.js";
import type { UnicoreCredentials } from "./unicore-credentials.js";
import { UnicoreError } from "./unicore-error.js";
import type { UnicoreJobDescription } from "./job-description.js";

/** UNICORE's job states, in order (pyunicore `client.JobStatus`). */
export type UnicoreJobStatus = "UNDEFINED" | "READY" | "STAGINGIN" | "QUEUED" | "RUNNING" | "STAGINGOUT" | "SUCCESSFUL" | "FAILED";

/** The parts of a job's properties daskq reads (`GET {job}`). */
export interface UnicoreJob {
  readonly url: string;
  readonly status: UnicoreJobStatus;
  readonly statusMessage: string;
  /** The application's exit code, once known. */
  readonly exitCode: number | undefined;
  /** The batch system's id; `INTERACTIVE_…` for tasks on a login node; undefined before it runs. */
  readonly batchSystemId: string | undefined;
  readonly tags: readonly string[];
  /** `_links` as rel -> href: `action:start`, `action:abort`, `forwarding`, `workingDirectory`, ... */
  readonly links: Readonly<Record<string, string>>;
}

/** Who the server thinks we are, and its version (`GET {base}`). */
export interface UnicoreIdentity {
  /** `anonymous` means the credentials were not accepted as a user. */
  readonly role: string;
  readonly dn: string | undefined;
  readonly serverVersion: string | undefined;
}

/** A directory entry of a storage listing. */
export interface UnicoreFileEntry {
  readonly isDirectory: boolean;
  readonly size: number;
}

/** What the client needs. */
export interface UnicoreClientOptions {
  /** Base URL of the site's core services, e.g. `https://gw:8080/SITE/rest/core`. */
  readonly baseUrl: string;
  readonly credentials: UnicoreCredentials;
  /** Per-request timeout, ms. Default 60 000. */
  readonly timeoutMs?: number;
  /** For tests: the fetch to use. Default: the global one. */
  readonly fetch?: typeof fetch;
}

/**
 * A typed client for the parts of UNICORE's REST API daskq uses, on the global `fetch`.
 * It sends the credentials with every request and reuses UNICORE's security session
 * (`X-UNICORE-SecuritySession`); when the server answers 432 (session expired) it drops the session
 * and repeats the request ONCE, as pyunicore does. Errors carry UNICORE's `errorMessage`.
 */
export class UnicoreClient {
  readonly baseUrl: string;
  private readonly session = new SecuritySession();
  private readonly http: HttpJson;

  constructor(private readonly options: UnicoreClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.http = new HttpJson({
      component: "unicore",
      service: "UNICORE",
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      refusal: (answer, request) => {
        const message = errorMessageOf(answer);
        const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
        return `${request.method} ${withoutUserInfo(request.url)} failed (HTTP ${answer.status}): ${sentence} Check the credentials (jobqueue.unicore.username/password or token, or UNICORE_PASSWORD / UNICORE_TOKEN).`;
      },
    });
  }

  /** Which credentials are used (never the secret). */
  get credentialsDescription(): string {
    return this.options.credentials.description;
  }

  /** The job description a job was submitted with (`GET {job}/submitted`). */
  async submitted(url: string): Promise<UnicoreJobDescription> {
    return (await this.json("GET", `${url}/submitted`)) as UnicoreJobDescription;
  }

  /** The credentials, for a forwarding connection made outside fetch. */
  get authorization(): string {
    return this.options.credentials.authorization();
  }

  /** `GET {base}`: the role the server gave us and its version. */
  async identity(): Promise<UnicoreIdentity> {
    const base = (await this.json("GET", this.baseUrl)) as { client?: { role?: { selected?: string }; dn?: string }; server?: { version?: string } };
    return { role: base.client?.role?.selected ?? "anonymous", dn: base.client?.dn, serverVersion: base.server?.version };
  }

  /**
   * Submits a job (`POST {base}/jobs`) or a task into an allocation (`POST {allocation}`), and
   * resolves the new job's URL from the `Location` header.
   */
  async submit(description: UnicoreJobDescription, allocationUrl?: string): Promise<string> {
    const response = await this.request("POST", allocationUrl ?? `${this.baseUrl}/jobs`, { body: description });
    const location = response.headers.get("location");
    if (!location) throw new UnicoreError(`UNICORE accepted the job but sent no Location header (HTTP ${response.status})`, response.status);
    return location;
  }

  /** A job's properties; `fields` limits them (`status,statusMessage,exitCode`). */
  async job(url: string, fields?: readonly string[]): Promise<UnicoreJob> {
    const query = fields?.length ? `?fields=${fields.join(",")}` : "";
    return parseJob(url, (await this.json("GET", `${url}${query}`)) as Record<string, unknown>);
  }

  /** URLs of the caller's jobs carrying ALL `tags`, in ONE request (`GET {base}/jobs?tags=...`). */
  async listJobs(tags: readonly string[]): Promise<string[]> {
    const query = new URLSearchParams({ tags: tags.join(","), num: "100000" });
    const list = (await this.json("GET", `${this.baseUrl}/jobs?${query}`)) as { jobs?: unknown };
    return Array.isArray(list.jobs) ? list.jobs.map(String) : [];
  }

  /** Triggers a job action through its link (`action:start`, `action:abort`), with `{}` as body. */
  async action(job: UnicoreJob | string, name: "start" | "abort" | "restart"): Promise<void> {
    const href = typeof job === "string" ? `${job}/actions/${name}` : job.links[`action:${name}`];
    if (!href) throw new UnicoreError(`job ${typeof job === "string" ? job : job.url} has no action:${name} link`);
    await this.request("POST", href, { body: {} });
  }

  /** The entries of a directory of a storage (a job's working directory), keyed by name without the leading `/`. */
  async listDirectory(storageUrl: string, path = "/"): Promise<Map<string, UnicoreFileEntry>> {
    const listing = (await this.json("GET", fileUrl(storageUrl, path))) as { content?: Record<string, { isDirectory?: boolean; size?: number }> };
    const entries = new Map<string, UnicoreFileEntry>();
    for (const [name, meta] of Object.entries(listing.content ?? {})) {
      entries.set(name.replace(/^\/+/, "").replace(/\/$/, ""), { isDirectory: meta.isDirectory === true, size: Number(meta.size ?? 0) });
    }
    return entries;
  }

  /**
   * A file's content (`Accept: application/octet-stream`); with `tailBytes`, only its last bytes
   * (`Range: bytes=-N`). Resolves undefined when the file does not exist.
   */
  async download(storageUrl: string, path: string, tailBytes?: number): Promise<string | undefined> {
    const headers: Record<string, string> = { Accept: "application/octet-stream" };
    if (tailBytes !== undefined) headers["Range"] = `bytes=-${tailBytes}`;
    try {
      return (await this.request("GET", fileUrl(storageUrl, path), { headers })).text;
    } catch (error) {
      if (error instanceof UnicoreError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async json(method: string, url: string, body?: unknown): Promise<unknown> {
    const answer = await this.request(method, url, { body });
    try {
      return answerJson(answer) ?? {};
    } catch (error) {
      throw new UnicoreError(`${method} ${withoutUserInfo(url)}: UNICORE answered something that is not JSON: ${answer.text.slice(0, 200)}`, answer.status, { cause: error });
    }
  }

  /** Sends a request with the credentials and the security session; an answer outside 2xx is a `UnicoreError`. */
  private async request(method: string, url: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
    const answer = await this.session.send((sessionHeaders) =>
      sendResendingGetAfterReset(this.http, {
        method,
        url,
        headers: { Authorization: this.options.credentials.authorization(), ...init.headers, ...sessionHeaders },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
    );
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw new UnicoreError(`${method} ${withoutUserInfo(url)} failed (HTTP ${answer.status}): ${errorMessageOf(answer)}`, answer.status);
  }
}

/** The URL of a path in a storage's `files` resource. */
export function fileUrl(storageUrl: string, path: string): string {
  const clean = path.split("/").filter(Boolean).map(encodeURIComponent).join("/");
  return `${storageUrl.replace(/\/+$/, "")}/files/${clean}`;
}

function parseJob(url: string, props: Record<string, unknown>): UnicoreJob {
  const links: Record<string, string> = {};
  for (const [rel, link] of Object.entries((props["_links"] ?? {}) as Record<string, { href?: unknown }>)) {
    if (typeof link?.href === "string") links[rel] = link.href;
  }
  const exit = props["exitCode"];
  const bss = props["batchSystemID"];
  return {
    url,
    status: (typeof props["status"] === "string" ? props["status"] : "UNDEFINED") as UnicoreJobStatus,
    statusMessage: typeof props["statusMessage"] === "string" ? props["statusMessage"] : "",
    exitCode: exit === undefined || exit === null || exit === "" ? undefined : Number(exit),
    batchSystemId: typeof bss === "string" && bss !== "N/A" ? bss : undefined,
    tags: Array.isArray(props["tags"]) ? props["tags"].map(String) : [],
    links,
  };
}

/** UNICORE's `errorMessage` of an error answer, else its text, else the status' reason phrase. */
function errorMessageOf(answer: HttpAnswer): string {
  try {
    const body = JSON.parse(answer.text) as { errorMessage?: unknown };
    if (typeof body.errorMessage === "string") return body.errorMessage;
  } catch {
    // not JSON: keep the text
  }
  return answer.text.trim().slice(0, 500) || answer.statusText;
}
