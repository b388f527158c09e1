import type { HttpAnswer } from "@daskq/core";

const SESSION_HEADER = "X-UNICORE-SecuritySession";

/**
 * UNICORE's security session (`X-UNICORE-SecuritySession`): the server names one in an answer,
 * and a request that sends it back is not authenticated again. When the server answers 432 (the
 * session expired), the session is dropped and the request repeated ONCE with the credentials
 * alone, as pyunicore does.
 */
export class SecuritySession {
  private id: string | undefined;

  /** Sends a request through `send`, which adds these headers to it; resolves the last answer. */
  async send(send: (sessionHeaders: Readonly<Record<string, string>>) => Promise<HttpAnswer>): Promise<HttpAnswer> {
    let answer = await send(this.id === undefined ? {} : { [SESSION_HEADER]: this.id });
    if (answer.status === 432 && this.id !== undefined) {
      this.id = undefined;
      answer = await send({});
    }
    const id = answer.headers.get(SESSION_HEADER);
    if (id) this.id = id;
    return answer;
  }
}
