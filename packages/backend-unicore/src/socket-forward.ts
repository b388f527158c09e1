import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { UnicoreError } from "./unicore-error.js";

/** The `Upgrade` token of UNICORE's port forwarding; it is NOT a WebSocket. */
export const FORWARDING_UPGRADE = "UNICORE-Socket-Forwarding";

/** Where to forward to: a job's `forwarding` link and the service's host and port as the job's node sees them. */
export interface ForwardTarget {
  /** The job's `_links.forwarding.href` (`{job}/forward-port`). */
  readonly forwardingUrl: string;
  readonly host: string;
  readonly port: number;
}

/**
 * Opens ONE forwarded connection through UNICORE (needs UNICORE >= 9.1): `GET {forwarding}?port=P&host=H`
 * with `Connection: Upgrade` and `Upgrade: UNICORE-Socket-Forwarding` (pyunicore `forwarder.py`).
 * UNICORE answers 101 and from then on the socket carries the raw TCP stream of the service.
 * No security session is sent (as pyunicore, which turns sessions off for forwarding).
 */
export function openForward(target: ForwardTarget, authorization: string, timeoutMs = 30_000): Promise<Socket> {
  const url = new URL(target.forwardingUrl);
  url.searchParams.set("port", String(target.port));
  url.searchParams.set("host", target.host);
  const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
    method: "GET",
    headers: { Connection: "Upgrade", Upgrade: FORWARDING_UPGRADE, Authorization: authorization, Accept: "application/json" },
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    request.on("upgrade", (response, socket, head) => {
      if (response.statusCode !== 101) {
        socket.destroy();
        reject(new UnicoreError(`port forwarding to ${target.host}:${target.port} refused (HTTP ${response.statusCode})`, response.statusCode));
        return;
      }
      socket.setTimeout(0);
      socket.setNoDelay(true);
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let message = text.slice(0, 300) || (response.statusMessage ?? "");
        try {
          message = (JSON.parse(text) as { errorMessage?: string }).errorMessage ?? message;
        } catch {
          // not JSON
        }
        reject(
          new UnicoreError(
            `port forwarding to ${target.host}:${target.port} through ${url.origin}${url.pathname} failed (HTTP ${response.statusCode}): ${message}. It needs UNICORE 9.1 or later`,
            response.statusCode,
          ),
        );
      });
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => reject(new UnicoreError(`port forwarding to ${target.host}:${target.port}: cannot reach ${url.origin}: ${error.message}`, undefined, { cause: error })));
    request.end();
  });
}
