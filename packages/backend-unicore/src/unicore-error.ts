import { DaskqError } from "@daskq/core";

/** UNICORE refused a request or could not be reached. The message carries UNICORE's own `errorMessage`. */
export class UnicoreError extends DaskqError {
  constructor(
    message: string,
    /** HTTP status, when UNICORE answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super("unicore", message, options);
  }

  /** True for 401/403: the credentials are wrong or not allowed. */
  get isAuthentication(): boolean {
    return this.status === 401 || this.status === 403;
  }
}
