import { readFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, findProcesses, UnicoreEmulator } from "../src/index.js";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "../emulators/unicore/golden");
const golden = (name: string) => JSON.parse(readFileSync(join(GOLDEN, name), "utf8")) as Record<string, unknown>;
const DEMO = `Basic ${Buffer.from("demouser:test123").toString("base64")}`;

/** The shape of a JSON value: keys and value types, never the values themselves. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "_source").sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}

describe("UNICORE emulator", () => {
  let emulator: UnicoreEmulator;
  const call = async (path: string, init: RequestInit & { auth?: string | null } = {}) => {
    const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/json", ...(init.headers as Record<string, string>) };
    if (init.auth !== null) headers["Authorization"] = init.auth ?? DEMO;
    return fetch(path.startsWith("http") ? path : `${emulator.baseUrl}${path}`, { ...init, headers });
  };
  const submit = async (description: Record<string, unknown>) => {
    const res = await call("/jobs", { method: "POST", body: JSON.stringify(description) });
    expect(res.status).toBe(201);
    return res.headers.get("location") as string;
  };
  const props = async (url: string) => (await (await call(url)).json()) as Record<string, any>;
  const waitStatus = (url: string, ...statuses: string[]) => eventually(async () => statuses.includes((await props(url))["status"]), 20_000, 100);

  beforeAll(async () => {
    emulator = await UnicoreEmulator.start({ queueDelayMs: 100, tokens: { "good-token": "demouser" } });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("renders the base resource, job properties, the jobs list and file listings in UNICORE's shapes (golden samples)", async () => {
    expect(shape(await (await call("")).json())).toEqual(shape(golden("base.json")));
    const url = await submit({ Executable: "echo", Arguments: ["hello", "$UC_EXECUTABLE"], Tags: ["golden", "t1"] });
    expect(url).toMatch(/\/DEMO-SITE\/rest\/core\/jobs\/[0-9a-f-]{36}$/);
    expect(await waitStatus(url, "SUCCESSFUL")).toBe(true);
    const job = await props(url);
    expect(shape(job)).toEqual(shape(golden("job-properties.json")));
    expect(job["exitCode"]).toBe("0");
    expect(shape(await (await call("/jobs?tags=golden")).json())).toEqual(shape({ ...golden("jobs-list.json"), _links: { self: { href: "" } } }));
    const listing = (await (await call(`${job["_links"].workingDirectory.href}/files/`)).json()) as Record<string, any>;
    expect(shape({ ...listing, content: { "/dask.json": listing["content"]["/stdout"] } })).toEqual(shape(golden("file-listing.json")));
    expect(Object.keys(listing["content"])).toEqual(expect.arrayContaining(["/stdout", "/stderr", "/UNICORE_SCRIPT_EXIT_CODE"]));
    // Arguments are shell text, as UNICORE's TSI writes them: $UC_EXECUTABLE expanded.
    const stdout = await call(`${job["_links"].workingDirectory.href}/files/stdout`, { headers: { Accept: "application/octet-stream" } });
    expect(await stdout.text()).toBe("hello echo\n");
    const error = await call(`${url}/actions/abort`, { method: "POST", body: "{}" });
    expect(error.status).toBe(500);
    expect(shape(await error.json())).toEqual(shape(golden("error.json")));
  });

  it("lists only the caller's jobs that carry ALL the given tags, and filters properties with fields", async () => {
    const a = await submit({ Executable: "true", Tags: ["cluster-a", "x"] });
    await submit({ Executable: "true", Tags: ["cluster-b"] });
    const list = (await (await call("/jobs?tags=cluster-a,x")).json()) as { jobs: string[] };
    expect(list.jobs).toEqual([a]);
    expect(((await (await call("/jobs?tags=cluster-a,nope")).json()) as { jobs: string[] }).jobs).toEqual([]);
    expect(Object.keys(await props(`${a}?fields=status,exitCode`)).every((k) => ["status", "exitCode"].includes(k))).toBe(true);
  });

  it("runs jobs as real processes in sibling working directories; a job reads a sibling's file through ../<id>/", async () => {
    const writer = await submit({ Executable: "echo tcp://10.0.0.1:8786 > dask.json" });
    expect(await waitStatus(writer, "SUCCESSFUL")).toBe(true);
    const writerId = writer.split("/").pop();
    const reader = await submit({ Executable: "cat", Arguments: [`../${writerId}/dask.json`], Environment: ["FOO=bar"] });
    expect(await waitStatus(reader, "SUCCESSFUL")).toBe(true);
    const out = await call(`${(await props(reader))["_links"].workingDirectory.href}/files/stdout`, { headers: { Accept: "application/octet-stream" } });
    expect(await out.text()).toBe("tcp://10.0.0.1:8786\n");
  });

  it("starts a job held for client stage-in only on action:start; abort kills its processes and ends it FAILED", async () => {
    const url = await submit({ Executable: "sleep", Arguments: ["4242"], haveClientStageIn: "true" });
    await new Promise((r) => setTimeout(r, 300));
    expect((await props(url))["status"]).toBe("READY");
    expect((await call(`${url}/actions/start`, { method: "POST", body: "{}" })).status).toBe(204);
    expect(await waitStatus(url, "RUNNING")).toBe(true);
    expect(await eventually(async () => (await findProcesses("sleep 4242")).length === 1, 5000)).toBe(true);
    expect((await call(`${url}/actions/abort`, { method: "POST", body: "{}" })).status).toBe(204);
    expect(await waitStatus(url, "FAILED")).toBe(true);
    expect((await props(url))["statusMessage"]).toBe("Job aborted.");
    expect(await eventually(async () => (await findProcesses("sleep 4242")).length === 0, 5000)).toBe(true);
  });

  it("reports a non-zero exit as FAILED with UNICORE's message, and serves the tail of a file with Range: bytes=-N", async () => {
    const url = await submit({ Executable: "echo first; echo boom >&2; exit 3" });
    expect(await waitStatus(url, "FAILED")).toBe(true);
    const job = await props(url);
    expect(job["exitCode"]).toBe("3");
    expect(job["statusMessage"]).toMatch(/^User application exited with non-zero exit code: <3>/);
    const tail = await call(`${job["_links"].workingDirectory.href}/files/stderr`, { headers: { Accept: "application/octet-stream", Range: "bytes=-3" } });
    expect(tail.status).toBe(206);
    expect(await tail.text()).toBe("om\n");
  });

  it("refuses wrong credentials with 403, lets anonymous callers see only the anonymous role, accepts Bearer tokens, and answers an expired session with 432", async () => {
    const wrong = await call("", { auth: `Basic ${Buffer.from("demouser:nope").toString("base64")}` });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { errorMessage: string }).errorMessage).toMatch(/credentials could not be verified/);
    const anonymous = (await (await call("", { auth: null })).json()) as any;
    expect(anonymous.client.role.selected).toBe("anonymous");
    expect((await call("/jobs", { auth: null, method: "POST", body: "{}" })).status).toBe(401);
    expect(((await (await call("", { auth: "Bearer good-token" })).json()) as any).client.role.selected).toBe("user");
    const first = await call("");
    const session = first.headers.get("x-unicore-securitysession") as string;
    expect(session).toBeTruthy();
    expect((await call("", { auth: null, headers: { "X-UNICORE-SecuritySession": session } })).status).toBe(200);
    emulator.expireSessions();
    expect((await call("", { headers: { "X-UNICORE-SecuritySession": session } })).status).toBe(432);
  });

  describe("socket forwarding", () => {
    let echo: Server;
    let port = 0;
    beforeAll(async () => {
      echo = createServer((s) => s.pipe(s));
      await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
      port = (echo.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => echo.close(() => r())));

    const handshake = (jobUrl: string, query: string) =>
      new Promise<{ head: string; socket: import("node:net").Socket }>((resolve, reject) => {
        const u = new URL(`${jobUrl}/forward-port?${query}`);
        const socket = connect(Number(u.port), u.hostname);
        let buffer = "";
        socket.on("error", reject);
        socket.on("data", function onData(chunk) {
          buffer += chunk.toString("latin1");
          const end = buffer.indexOf("\r\n\r\n");
          if (end < 0) return;
          socket.off("data", onData);
          resolve({ head: buffer.slice(0, end), socket });
        });
        socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade\r\nUpgrade: UNICORE-Socket-Forwarding\r\nAuthorization: ${DEMO}\r\n\r\n`);
      });

    it("upgrades GET {forwarding}?port=P&host=H to raw TCP (101) to the service, and cuts it on dropForwards()", async () => {
      const url = await submit({ Executable: "sleep", Arguments: ["30"] });
      expect(await waitStatus(url, "RUNNING")).toBe(true);
      expect((await props(url))["_links"].forwarding.href).toBe(`${url}/forward-port`);
      const { head, socket } = await handshake(url, `port=${port}&host=127.0.0.1`);
      expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
      expect(head).toMatch(/Upgrade: UNICORE-Socket-Forwarding/);
      const echoed = new Promise<string>((r) => socket.once("data", (d) => r(d.toString())));
      socket.write("ping over raw tcp");
      expect(await echoed).toBe("ping over raw tcp");
      const closed = new Promise<void>((r) => socket.once("close", () => r()));
      expect(emulator.dropForwards()).toBe(1);
      await closed;
      expect(emulator.openForwards).toBe(0);
      const refused = await handshake(url, `port=1&host=127.0.0.1`);
      expect(refused.head).toMatch(/^HTTP\/1.1 500/);
      refused.socket.destroy();
      await call(`${url}/actions/abort`, { method: "POST", body: "{}" });
    });
  });

  it("runs tasks inside an allocation with the emulator's srun, one per node; a task beyond the nodes waits with Slurm's message", async () => {
    const allocation = await submit({ "Job type": "ALLOCATE", Resources: { Nodes: "1", Runtime: "10min" } });
    expect(await waitStatus(allocation, "RUNNING")).toBe(true);
    const into = async (d: Record<string, unknown>) => {
      const res = await call(allocation, { method: "POST", body: JSON.stringify(d) });
      expect(res.status).toBe(201);
      return res.headers.get("location") as string;
    };
    const first = await into({ Executable: "srun --tasks=1 sleep", Arguments: ["4343"] });
    expect(await eventually(async () => (await findProcesses("sleep 4343")).some((p) => p.command.startsWith("sleep")), 10_000)).toBe(true);
    const second = await into({ Executable: "srun --tasks=1 echo", Arguments: ["second", "$SLURM_JOB_ID"] });
    const stderrOf = async (u: string) => (await call(`${(await props(u))["_links"].workingDirectory.href}/files/stderr`, { headers: { Accept: "application/octet-stream" } })).text();
    expect(await eventually(async () => /Job step creation temporarily disabled/.test(await stderrOf(second)), 10_000)).toBe(true);
    expect((await props(second))["status"]).toBe("RUNNING");
    await call(`${first}/actions/abort`, { method: "POST", body: "{}" });
    expect(await waitStatus(second, "SUCCESSFUL")).toBe(true);
    const stdout = await call(`${(await props(second))["_links"].workingDirectory.href}/files/stdout`, { headers: { Accept: "application/octet-stream" } });
    expect(await stdout.text()).toBe(`second ${(await props(allocation))["batchSystemID"]}\n`);
    expect((await props(second))["jobType"]).toBe("ON_LOGIN_NODE");
    await call(`${allocation}/actions/abort`, { method: "POST", body: "{}" });
    expect(await waitStatus(allocation, "FAILED")).toBe(true);
  });
});
