/** The status server's HTTP surface: token checks, routes, live updates. No cluster needed. */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatusServer } from "../src/status-server.js";

describe("StatusServer", () => {
  let server: StatusServer;
  let reports = 0;
  const base = () => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    server = await StatusServer.start({ report: async () => ({ n: ++reports, text: "<script>alert(1)</script>" }), updateIntervalMs: 100 });
  });
  afterAll(() => server?.close());

  it("binds to 127.0.0.1 by default, with a long random token", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("answers 401 without a token and 403 with a wrong one, for the page, its JSON and its events", async () => {
    for (const path of ["/status", "/status.json", "/status/events"]) {
      expect((await fetch(`${base()}${path}`)).status).toBe(401);
      expect((await fetch(`${base()}${path}?token=wrong`)).status).toBe(403);
      expect((await fetch(`${base()}${path}?token=${server.token.slice(0, -1)}x`)).status).toBe(403);
      expect((await fetch(`${base()}${path}`, { headers: { authorization: "Bearer nope" } })).status).toBe(403);
    }
  });

  it("serves the page and the JSON with the token, in the query or as a bearer header", async () => {
    const page = await fetch(`${base()}/status?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain('src="status/assets/uPlot.iife.min.js"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from the network
    const json = await fetch(`${base()}/status.json`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { text: string }).text).toBe("<script>alert(1)</script>");
  });

  it("serves the chart library from its npm package without a token, and nothing else", async () => {
    const js = await fetch(`${base()}/status/assets/uPlot.iife.min.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(await js.text()).toContain("uPlot");
    expect((await fetch(`${base()}/status/assets/uPlot.min.css`)).status).toBe(200);
    expect((await fetch(`${base()}/status/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base()}/status/assets/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base()}/`)).status).toBe(404);
    expect((await fetch(`${base()}/status?token=${server.token}`, { method: "POST" })).status).toBe(405);
  });

  it("streams a report right away and then at every update", async () => {
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request(`${base()}/status/events?token=${server.token}`, (res) => {
        expect(res.headers["content-type"]).toBe("text/event-stream");
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          events.push(...chunk.split("\n").filter((l) => l.startsWith("data: ")));
          if (events.length >= 3) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", reject);
      req.end();
    });
    const numbers = events.map((e) => (JSON.parse(e.slice(6)) as { n: number }).n);
    expect(numbers[2]).toBeGreaterThan(numbers[0] as number);
  });

  it("says clearly when the port is taken", async () => {
    const error = await StatusServer.start({ report: async () => ({}), port: server.port }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^\[daskq:status\] cannot serve the status page on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});
