import { DaskqError } from "@daskq/core";

/**
 * UNICORE refused a request or could not be reached. The message carries UNICORE's own
 * `errorMessage`. Refused credentials (401/403) are core's `AuthenticationError` instead.
 */
export class UnicoreError extends DaskqError {
  constructor(
    message: string,
    /** HTTP status, when UNICORE answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super("unicore", message, options);
  }
}
