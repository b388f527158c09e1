/** An HTTP answer, read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request to slurmrestd. */
export interface HttpRequest {
  readonly method: "GET" | "POST" | "DELETE";
  /** Path and query, e.g. `/slurm/v0.0.38/jobs`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text for POST. */
  readonly body?: string;
}

/**
 * How requests reach slurmrestd: TCP (`FetchTransport`) or its local unix socket
 * (`UnixSocketTransport`). Transport failures reject with a DaskqError naming `endpoint`; HTTP error
 * statuses are answers, not failures.
 */
export interface HttpTransport {
  /** Where requests go, for messages: `http://host:6820` or `unix:/path/to/socket`. */
  readonly endpoint: string;
  send(request: HttpRequest): Promise<HttpAnswer>;
}
