import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type Server } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, UnicoreEmulator } from "@daskq/testing";
import { AuthenticationError } from "@daskq/core";
import { PortForwarder, shellWords, resolveCredentials, UnicoreClient, UnicoreCredentials, completeDescription, jobStatusOf } from "../src/index.js";

const PASSWORD = "s3cret-pa55";

describe("UNICORE client (against the UNICORE emulator)", () => {
  let emulator: UnicoreEmulator;
  let client: UnicoreClient;

  beforeAll(async () => {
    emulator = await UnicoreEmulator.start({ users: { alice: PASSWORD }, tokens: { "tok-123": "alice" }, queueDelayMs: 100 });
    client = new UnicoreClient({ baseUrl: emulator.baseUrl, credentials: UnicoreCredentials.basic("alice", PASSWORD, "config") });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("never shows the secret: toString, JSON and inspect name only the kind and the source", () => {
    const basic = resolveCredentials({ username: "alice" }, { UNICORE_PASSWORD: PASSWORD });
    const bearer = resolveCredentials({ token: "tok-123" });
    for (const shown of [String(basic), JSON.stringify({ basic }), inspect(basic), String(bearer), inspect({ bearer })]) {
      expect(shown).not.toContain(PASSWORD);
      expect(shown).not.toContain("tok-123");
      expect(shown).not.toContain(Buffer.from(`alice:${PASSWORD}`).toString("base64"));
    }
    expect(String(basic)).toBe("UnicoreCredentials(basic alice (password from env UNICORE_PASSWORD))");
    expect(() => resolveCredentials({}, {})).toThrow(/\[daskq:config\] jobqueue.unicore: no UNICORE credentials: set jobqueue.unicore.token/);
    expect(() => resolveCredentials({ username: "alice" }, {})).toThrow(/no password: set jobqueue.unicore.password or the environment variable UNICORE_PASSWORD/);
  });

  it("submits a held job, reads its URL from Location, starts it through action:start, and lists it by tag", async () => {
    const url = await client.submit(completeDescription({}, { command: ["sh", "-c"], arguments: shellWords(["echo $0 > out.txt", "hello"]), environment: {}, resources: {}, tags: ["c1"], name: "t" }));
    expect((await client.job(url)).status).toBe("READY");
    await client.action(await client.job(url), "start");
    expect(await eventually(async () => (await client.job(url, ["status", "exitCode"])).status === "SUCCESSFUL", 10_000, 100)).toBe(true);
    const job = await client.job(url);
    expect(jobStatusOf(job)).toEqual({ state: "finished", native: "SUCCESSFUL" });
    expect(await client.listJobs(["c1"])).toEqual([url]);
    const workDir = job.links["workingDirectory"] as string;
    expect([...(await client.listDirectory(workDir)).keys()]).toContain("out.txt");
    expect(await client.download(workDir, "out.txt")).toBe("hello\n");
    expect(await client.download(workDir, "nope.txt")).toBeUndefined();
  });

  it("shows UNICORE's errorMessage as [daskq:unicore] and names wrong credentials", async () => {
    const url = await client.submit({ Executable: "true" });
    expect(await eventually(async () => (await client.job(url)).status === "SUCCESSFUL", 10_000, 100)).toBe(true);
    await expect(client.action(url, "abort")).rejects.toThrow(/^\[daskq:unicore\] POST .*\/actions\/abort failed \(HTTP 500\): Error handling action: 'abort': Cannot abort the action\.$/);
    const wrong = new UnicoreClient({ baseUrl: emulator.baseUrl, credentials: UnicoreCredentials.basic("alice", "wrong", "config") });
    const error = await wrong.identity().catch((e: unknown) => e as Error);
    // Refused credentials are core's AuthenticationError: a cleanup does not retry them.
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/HTTP 403\): Authentication failed - credentials could not be verified\. Check the credentials/);
    expect((error as Error).message).not.toContain("wrong");
    const unreachable = new UnicoreClient({ baseUrl: "http://127.0.0.1:1/SITE/rest/core", credentials: UnicoreCredentials.bearer("x", "config") });
    await expect(unreachable.identity()).rejects.toThrow(/\[daskq:unicore\] cannot reach UNICORE at http:\/\/127.0.0.1:1\/SITE\/rest\/core/);
  });

  it("reuses the security session and, when it expired (HTTP 432), repeats the request exactly once", async () => {
    await client.identity();
    emulator.requests.length = 0;
    await client.identity();
    expect(emulator.requests.map((r) => r.status)).toEqual([200]);
    emulator.expireSessions();
    emulator.requests.length = 0;
    const identity = await client.identity();
    expect(identity.role).toBe("user");
    expect(emulator.requests.map((r) => r.status)).toEqual([432, 200]);
  });

  it("sends a GET once more when the connection is reset before an answer (an idle kept-alive connection the server closed); never a POST", async () => {
    let seen = 0;
    const server = createHttpServer((req, res) => {
      seen++;
      if (seen === 1 || req.method === "POST") return void req.socket.destroy();
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ client: { role: { selected: "user" } } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const flaky = new UnicoreClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/S/rest/core`, credentials: UnicoreCredentials.bearer("t", "config") });
      expect((await flaky.identity()).role).toBe("user");
      expect(seen).toBe(2);
      await expect(flaky.submit({ Executable: "true" })).rejects.toThrow(/\[daskq:unicore\] cannot reach UNICORE at/);
      expect(seen).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  describe("port forwarding", () => {
    let echo: Server;
    let port = 0;
    beforeAll(async () => {
      echo = createServer((s) => s.pipe(s));
      await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
      port = (echo.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => echo.close(() => r())));

    const roundTrip = (p: number, text: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(p, "127.0.0.1", () => s.write(text));
        s.on("data", (d) => {
          resolve(d.toString());
          s.destroy();
        });
        s.on("error", reject);
        s.on("close", () => reject(new Error("closed without an answer")));
      });

    it("exposes a service of a job on a local port; each local connection gets its own forward, so a dropped one is reopened by reconnecting", async () => {
      const url = await client.submit({ Executable: "sleep 60" });
      await client.action(url, "start");
      expect(await eventually(async () => (await client.job(url)).status === "RUNNING", 10_000, 100)).toBe(true);
      const job = await client.job(url);
      const forwarder = await PortForwarder.start({ forwardingUrl: job.links["forwarding"] as string, host: "127.0.0.1", port }, () => client.authorization);
      try {
        expect(await roundTrip(forwarder.port, "one")).toBe("one");
        expect(await eventually(() => emulator.openForwards === 0, 5000, 50)).toBe(true);
        const held = connect(forwarder.port, "127.0.0.1");
        expect(await eventually(() => emulator.openForwards === 1 && forwarder.connections === 1, 5000, 50)).toBe(true);
        const closed = new Promise<void>((r) => held.once("close", () => r()));
        expect(emulator.dropForwards()).toBe(1);
        await closed;
        expect(await roundTrip(forwarder.port, "two")).toBe("two");
        expect(forwarder.opened).toBe(3);
      } finally {
        await forwarder.close();
        await client.action(url, "abort");
      }
      await expect(roundTrip(forwarder.port, "x")).rejects.toThrow(/ECONNREFUSED/);
      expect(await eventually(() => emulator.openForwards === 0, 5000, 50)).toBe(true);
    });

    it("a forward to a job that does not run yet is refused with UNICORE's message, and the local connection is closed", async () => {
      const url = await client.submit({ Executable: "true", haveClientStageIn: "true" });
      const forwarder = await PortForwarder.start({ forwardingUrl: `${url}/forward-port`, host: "127.0.0.1", port }, () => client.authorization);
      try {
        const s = connect(forwarder.port, "127.0.0.1");
        await new Promise<void>((r) => s.once("close", () => r()));
        expect(forwarder.opened).toBe(0);
      } finally {
        await forwarder.close();
      }
    });
  });
});
