import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError, DaskqError } from "../../src/errors.js";
import { fetchWithConnection } from "../../src/http/fetch-with-connection.js";
import { HttpJson, answerJson, withoutUserInfo } from "../../src/http/http-json.js";
import { UnreachableError } from "../../src/http/unreachable-error.js";

/** A real HTTP server on loopback: `/slow` never answers, `/secret` refuses, anything else echoes the request as JSON. */
function echoServer(): Server {
  return createServer((req: IncomingMessage, res) => {
    if (req.url === "/slow") return;
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      res.statusCode = req.url === "/secret" ? 401 : 200;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ method: req.method, url: req.url, accept: req.headers["accept"], contentType: req.headers["content-type"], body }));
    });
  });
}

let server: Server;
let url = "";
beforeAll(async () => {
  server = echoServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("HttpJson", () => {
  it("sends JSON with its headers and reads the answer whole", async () => {
    const http = new HttpJson({ component: "test", service: "the test server", timeoutMs: 5_000 });
    const answer = await http.send({ method: "POST", url: `${url}/jobs`, body: JSON.stringify({ n: 1 }) });
    expect(answer.status).toBe(200);
    expect(answerJson(answer)).toEqual({ method: "POST", url: "/jobs", accept: "application/json", contentType: "application/json", body: '{"n":1}' });
    const own = await http.send({ method: "GET", url: `${url}/file`, headers: { accept: "application/octet-stream" } });
    expect(answerJson(own)).toMatchObject({ accept: "application/octet-stream" });
  });

  it("maps 401/403 to core's AuthenticationError when told how to describe it; otherwise returns the answer", async () => {
    const refusing = new HttpJson({ component: "test", service: "x", timeoutMs: 5_000, refusal: (answer, request) => `${request.name} failed: ${answer.status}. Check the token` });
    const error = await refusing.send({ method: "GET", url: `${url}/secret`, name: "GET /secret" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toBe("[daskq:test] GET /secret failed: 401. Check the token");
    const plain = new HttpJson({ component: "test", service: "x", timeoutMs: 5_000 });
    expect((await plain.send({ method: "GET", url: `${url}/secret` })).status).toBe(401);
  });

  it("a server that cannot be reached is an UnreachableError naming the backend, the target and the system's reason", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const http = new HttpJson({ component: "test", service: "the test server", timeoutMs: 5_000 });
    const error = await http.send({ method: "GET", url: `http://127.0.0.1:${port}/x` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).code).toBe("ECONNREFUSED");
    expect((error as Error).message).toBe(`[daskq:test] cannot reach the test server at http://127.0.0.1:${port}/x: connect ECONNREFUSED 127.0.0.1:${port}`);
    const named = await http.send({ method: "GET", url: `http://127.0.0.1:${port}/x`, target: "it (GET /x)" }).catch((e: unknown) => e);
    expect((named as Error).message).toMatch(/^\[daskq:test\] cannot reach it \(GET \/x\): /);
    expect(withoutUserInfo("https://alice:s3cret@gw:8080/SITE/rest/core")).toBe("https://gw:8080/SITE/rest/core");
  });

  it("a server that does not answer in time is an UnreachableError that says how long it waited", async () => {
    const http = new HttpJson({ component: "test", service: "the test server", timeoutMs: 300 });
    await expect(http.send({ method: "GET", url: `${url}/slow` })).rejects.toThrow(`[daskq:test] cannot reach the test server at ${url}/slow: no answer within 300 ms`);
  });

  it("a DaskqError thrown by the fetch (e.g. a CA file that cannot be read) passes through as it is", async () => {
    const failure = new DaskqError("config", "cannot read the CA file");
    const http = new HttpJson({ component: "test", service: "x", timeoutMs: 1_000, fetch: () => Promise.reject(failure) });
    await expect(http.send({ method: "GET", url })).rejects.toBe(failure);
  });

  it("fetchWithConnection sends every request to a unix socket", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-http-"));
    const socketServer = echoServer();
    try {
      const socketPath = join(dir, "s.sock");
      await new Promise<void>((r) => socketServer.listen(socketPath, r));
      const http = new HttpJson({ component: "test", service: "x", timeoutMs: 5_000, fetch: await fetchWithConnection({ socketPath }) });
      expect(answerJson(await http.send({ method: "DELETE", url: "http://localhost/job/7" }))).toMatchObject({ method: "DELETE", url: "/job/7" });
    } finally {
      socketServer.closeAllConnections();
      await new Promise<void>((r) => socketServer.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
