import type { HttpAnswer, HttpRequest, HttpTransport } from "../src/http-transport.js";

/** `meta` as slurmrestd 22.05.8 sends it (recorded on the testbed). */
export const META = {
  plugin: { type: "openapi/v0.0.38", name: "Slurm OpenAPI v0.0.38" },
  Slurm: { version: { major: 22, micro: 8, minor: 5 }, release: "22.05.8" },
};

/** The paths part of `GET /openapi` of a slurmrestd with the given slurm plugin versions. */
export function openapiDocument(versions: readonly string[]): object {
  const paths: Record<string, object> = { "/openapi": {}, "/openapi/v3": {} };
  for (const v of versions) for (const p of ["diag", "ping", "jobs", "job/{job_id}", "job/submit"]) paths[`/slurm/${v}/${p}`] = {};
  return { openapi: "3.0.2", info: { title: "Slurm Rest API", version: versions[0] }, paths };
}

/** A JWT with the given claims and a made-up signature (only slurmctld could check it). */
export function makeToken(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

type Handler = (request: HttpRequest) => HttpAnswer | undefined;

/** A transport that records requests and answers from handlers (first that answers wins), else 404. */
export class FakeTransport implements HttpTransport {
  readonly endpoint = "http://fake:6820";
  readonly requests: HttpRequest[] = [];
  private readonly handlers: Handler[] = [];

  constructor(versions: readonly string[] = ["v0.0.38", "v0.0.37", "v0.0.36"]) {
    this.on("GET", "/openapi", () => json(openapiDocument(versions)));
    this.on("GET", /\/ping$/, () => json({ meta: META, errors: [], pings: [{ hostname: "vm", ping: "UP", status: 0, mode: "primary" }] }));
  }

  /** Answers `method path` (exact, or a pattern) with `answer` (newest registration first). */
  on(method: HttpRequest["method"], path: string | RegExp, answer: (request: HttpRequest) => HttpAnswer): this {
    this.handlers.unshift((r) => (r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)) ? answer(r) : undefined));
    return this;
  }

  async send(request: HttpRequest): Promise<HttpAnswer> {
    this.requests.push(request);
    for (const h of this.handlers) {
      const answer = h(request);
      if (answer) return answer;
    }
    return { status: 404, body: "Not Found" };
  }

  /** `METHOD path` of each request after discovery. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }
}

/** A JSON answer. */
export function json(body: unknown, status = 200): HttpAnswer {
  return { status, body: JSON.stringify(body) };
}

/** slurmrestd's error answer (HTTP 500 with errors[]), as 22.05.8 sends it. */
export function slurmError(description: string, error: string, errorNumber: number, source: string): HttpAnswer {
  return json({ meta: META, errors: [{ description, error_number: errorNumber, error, source }] }, 500);
}

/** Forwards to a real transport and records each request's method and path (never headers). */
export class CountingTransport implements HttpTransport {
  readonly calls: string[] = [];

  constructor(private readonly inner: HttpTransport) {}

  get endpoint(): string {
    return this.inner.endpoint;
  }

  send(request: HttpRequest): Promise<HttpAnswer> {
    this.calls.push(`${request.method} ${request.path}`);
    return this.inner.send(request);
  }

  /** How many recorded requests match. */
  count(method: HttpRequest["method"], path: RegExp): number {
    return this.calls.filter((c) => c.startsWith(`${method} `) && path.test(c.slice(method.length + 1))).length;
  }
}
