import { UnreachableError, type HttpAnswer, type HttpJson, type HttpRequest } from "@daskq/core";

/**
 * Sends `request`; a GET whose connection was reset before any answer is sent once more. A server
 * may close an idle kept-alive connection just as it is reused (ECONNRESET): a GET changes nothing,
 * so it is safe to repeat on a fresh connection; a POST is never repeated (it may have run).
 */
export async function sendResendingGetAfterReset(http: HttpJson, request: HttpRequest): Promise<HttpAnswer> {
  try {
    return await http.send(request);
  } catch (error) {
    if (request.method !== "GET" || !isConnectionReset(error)) throw error;
    return http.send(request);
  }
}

/** fetch's failure for a connection the peer reset or closed before answering. */
function isConnectionReset(error: unknown): boolean {
  return error instanceof UnreachableError && (error.code === "ECONNRESET" || error.code === "UND_ERR_SOCKET" || error.code === "EPIPE");
}
