/** The Marathon client against the Marathon EMULATOR of @daskq/testing. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthenticationError } from "@daskq/core";
import { startMarathonEmulator, type MarathonEmulator } from "@daskq/testing";
import { fetchWithCa, MarathonClient, type MarathonAppDefinition } from "../src/index.js";

const sleeper = (id: string, instances = 0): MarathonAppDefinition => ({
  id,
  cmd: "exec sleep 60",
  instances,
  cpus: 0.1,
  mem: 16,
  env: {},
  labels: {},
  constraints: [],
  portDefinitions: [{ port: 0, protocol: "tcp", name: "worker" }],
});

describe("MarathonClient", () => {
  let marathon: MarathonEmulator;
  beforeAll(async () => {
    marathon = await startMarathonEmulator({ stagingMs: 100, minimumDeploymentMs: 1000 });
  });
  afterAll(async () => {
    await marathon?.close();
  });

  it("waits for the deployment that locks the app (409), then retries; without force", async () => {
    const client = new MarathonClient({ url: marathon.url, pollMs: 100 });
    await client.createApp(sleeper("/client/wait"));
    const before = marathon.requests.length;
    await client.scaleApp("/client/wait", 2);
    const puts = marathon.requests.slice(before).filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.status)).toEqual([409, 200]);
    expect(puts.every((r) => !r.query.has("force"))).toBe(true);
    expect(marathon.requests.slice(before).some((r) => r.path === "/v2/deployments")).toBe(true);
    expect(marathon.app("/client/wait")?.definition.instances).toBe(2);
    expect(await client.deleteApp("/client/wait")).toBeDefined();
    expect(await client.deleteApp("/client/wait")).toBeUndefined();
  });

  it("gives up after deployment-timeout with a clear error, and sends force=true only when configured", async () => {
    const client = new MarathonClient({ url: marathon.url, pollMs: 100, deploymentTimeoutMs: 300 });
    await client.createApp(sleeper("/client/locked"));
    await expect(client.scaleApp("/client/locked", 1)).rejects.toThrow(
      /^\[daskq:marathon\] PUT \/v2\/apps\/client\/locked failed: 409 App is locked by one or more deployments\..*Still locked after 0 s by deployment\(s\) [0-9a-f-]{36}: .*set jobqueue\.marathon\.force: true/,
    );
    const forced = new MarathonClient({ url: marathon.url, force: true });
    const before = marathon.requests.length;
    await forced.scaleApp("/client/locked", 1);
    expect(marathon.requests.slice(before).map((r) => `${r.method} ${r.query.get("force")} ${r.status}`)).toEqual(["PUT true 200"]);
    await forced.deleteApp("/client/locked");
  });

  it("reports Marathon's own error messages, and an unreachable Marathon", async () => {
    const client = new MarathonClient({ url: marathon.url });
    expect(await client.getApp("/client/none")).toBeUndefined();
    await client.createApp(sleeper("/client/dup"));
    await expect(client.createApp(sleeper("/client/dup"))).rejects.toThrow("[daskq:marathon] POST /v2/apps failed: 409 An app with id [/client/dup] already exists.");
    await expect(client.createApp({ ...sleeper("/client/Bad_Id"), instances: -1 })).rejects.toThrow(/422 Object is not valid \(\/id: .*; \/instances: /);
    await new MarathonClient({ url: marathon.url, force: true }).deleteApp("/client/dup");
    await expect(new MarathonClient({ url: "http://127.0.0.1:1" }).getApp("/x")).rejects.toThrow(/^\[daskq:marathon\] cannot reach Marathon at http:\/\/127\.0\.0\.1:1 \(GET \/v2\/apps\/x\): /);
  });

  it("authenticates with HTTP Basic or a token, and says which keys to check on 401", async () => {
    const secured = await startMarathonEmulator({ auth: { token: "s3cret" } });
    try {
      await expect(new MarathonClient({ url: secured.url }).getApp("/x")).rejects.toThrow(
        "[daskq:marathon] GET /v2/apps/x failed: 401 Invalid username or password.. Check jobqueue.marathon.username and password, or token",
      );
      // Core's AuthenticationError: a cleanup after a dead owner does not retry it.
      await expect(new MarathonClient({ url: secured.url }).deleteApp("/x")).rejects.toBeInstanceOf(AuthenticationError);
      expect(await new MarathonClient({ url: secured.url, auth: { kind: "token", token: "s3cret" } }).getApp("/x")).toBeUndefined();
    } finally {
      await secured.close();
    }
    const basic = await startMarathonEmulator({ auth: { username: "dask", password: "p:w" } });
    try {
      expect(await new MarathonClient({ url: basic.url, auth: { kind: "basic", username: "dask", password: "p:w" } }).getApp("/x")).toBeUndefined();
    } finally {
      await basic.close();
    }
  });

  it("speaks HTTPS to a Marathon whose certificate is signed by a configured CA", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-marathon-tls-"));
    try {
      await execa("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]);
      const tls = { key: await readFile(join(dir, "key.pem"), "utf8"), cert: await readFile(join(dir, "cert.pem"), "utf8") };
      const secure = await startMarathonEmulator({ tls });
      try {
        expect(secure.url.startsWith("https://")).toBe(true);
        await expect(new MarathonClient({ url: secure.url }).getApp("/x")).rejects.toThrow(/cannot reach Marathon .*certificate/i);
        const client = new MarathonClient({ url: secure.url, fetch: await fetchWithCa(join(dir, "cert.pem"), "jobqueue.marathon.ca-file") });
        expect(await client.getApp("/x")).toBeUndefined();
      } finally {
        await secure.close();
      }
      await expect(fetchWithCa(join(dir, "missing.pem"), "jobqueue.marathon.ca-file")).rejects.toThrow(/jobqueue\.marathon\.ca-file: cannot read the CA file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
