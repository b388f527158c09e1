/**
 * The Marathon EMULATOR against Marathon's RAML API spec (mesosphere/marathon 90619da70,
 * docs/docs/rest-api/public/api/): JSON shapes compared with the spec's examples (golden/marathon/),
 * error bodies quoted from traits.raml, v2/apps.raml and v2/tasks.raml, and behaviour: tasks are
 * real processes with Marathon's environment, deployments lock the app, failed tasks are relaunched.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startMarathonEmulator, type MarathonEmulator } from "../src/index.js";

const golden = (name: string): unknown => JSON.parse(readFileSync(new URL(`./golden/marathon/${name}`, import.meta.url), "utf8"));
const keysOf = (value: unknown): string[] => Object.keys(value as object).sort();

describe("Marathon emulator", () => {
  let marathon: MarathonEmulator;
  let out: string;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${marathon.url}${path}`, {
      method,
      headers: { "Content-Type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: (text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : { text }) as Record<string, any> };
  };
  const waitNoDeployment = (id: string) => eventually(async () => !((await call("GET", "/v2/deployments")).json as unknown as { affectedApps: string[] }[]).some((d) => d.affectedApps.includes(id)), 20_000, 50);

  beforeAll(async () => {
    // Deployments last at least 1 s, so that the second PUT below meets the first one even on a loaded machine.
    marathon = await startMarathonEmulator({ stagingMs: 100, minimumDeploymentMs: 1000 });
    out = await mkdtemp(join(tmpdir(), "daskq-marathon-emulator-test-"));
  });
  afterAll(async () => {
    await marathon?.close();
    await rm(out, { recursive: true, force: true });
  });

  it("creates an app (201, the definition with defaults and a deployment), then answers with the spec's shapes", async () => {
    const created = await call("POST", "/v2/apps", { id: "/shapes/app", cmd: "sleep 60", instances: 1, cpus: 0.5, mem: 64, portDefinitions: [{ port: 0, name: "http" }], labels: { owner: "zeus" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("Marathon-Deployment-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.json["id"]).toBe("/shapes/app");
    expect(created.json["deployments"]).toHaveLength(1);
    // Every field the emulator answers with is a field of the spec's AppInfo examples.
    const specFields = new Set([...keysOf(golden("app.json")), ...keysOf((golden("app_list.json") as { apps: unknown[] }).apps[0])]);
    const extra = ["gpus", "fetch", "storeUrls", "killSelection", "readinessChecks"]; // types/app.raml fields absent from the examples
    expect(keysOf(created.json).filter((k) => !specFields.has(k) && !extra.includes(k))).toEqual([]);
    // The example deployment (examples/deployments.json) and ours have the same fields.
    const deployments = (await call("GET", "/v2/deployments")).json as unknown as unknown[];
    expect(keysOf(deployments[0])).toEqual(keysOf((golden("deployments.json") as unknown[])[0]));
    expect(await waitNoDeployment("/shapes/app")).toBe(true);

    const tasks = (await call("GET", "/v2/apps/shapes/app/tasks")).json["tasks"] as Record<string, unknown>[];
    expect(tasks).toHaveLength(1);
    const specTask = (golden("app_tasks.json") as { tasks: object[] }).tasks[0];
    const specTaskFields = new Set([...keysOf(specTask), ...keysOf((golden("tasks.json") as { tasks: object[] }).tasks[0]), "ipAddresses"]);
    expect(keysOf(tasks[0]).filter((k) => !specTaskFields.has(k))).toEqual([]);
    expect(tasks[0]?.["state"]).toBe("TASK_RUNNING");
    expect(tasks[0]?.["id"]).toMatch(/^shapes_app\.instance-[0-9a-f-]{36}\._app\.1$/);

    const app = (await call("GET", "/v2/apps/shapes/app?embed=app.tasks&embed=app.lastTaskFailure")).json["app"] as Record<string, unknown>;
    expect(app["tasksRunning"]).toBe(1);
    expect((app["tasks"] as unknown[]).length).toBe(1);

    const scaled = await call("PUT", "/v2/apps/shapes/app", { instances: 2 });
    expect(scaled.status).toBe(200);
    expect(keysOf(scaled.json)).toEqual(keysOf(golden("deployments_result.json")));
    expect(scaled.headers.get("Marathon-Deployment-Id")).toBe(scaled.json["deploymentId"]);
    // traits.raml `deployable`, 409: the exact message and the running deployment's id.
    const locked = await call("PUT", "/v2/apps/shapes/app", { instances: 3 });
    expect(locked.status).toBe(409);
    expect(locked.json).toEqual({
      message: "App is locked by one or more deployments. Override with the option '?force=true'. View details at '/v2/deployments/<DEPLOYMENT_ID>'.",
      deployments: [{ id: scaled.json["deploymentId"] }],
    });
    expect((await call("PUT", "/v2/apps/shapes/app?force=true", { instances: 3 })).status).toBe(200);
    expect(await waitNoDeployment("/shapes/app")).toBe(true);
    expect(((await call("GET", "/v2/apps/shapes/app/tasks")).json["tasks"] as unknown[]).length).toBe(3);

    const deleted = await call("DELETE", "/v2/apps/shapes/app");
    expect(keysOf(deleted.json)).toEqual(keysOf(golden("deployments_result.json")));
    expect(await eventually(() => marathon.livePids().length === 0, 20_000)).toBe(true);
  });

  it("answers errors with the spec's status codes and bodies", async () => {
    // v2/apps.raml: 404 for an unknown app, 409 for a duplicate id, 400 for bad JSON, 422 for an invalid object.
    expect(await call("GET", "/v2/apps/not_existent")).toMatchObject({ status: 404, json: { message: "App '/not_existent' does not exist" } });
    expect((await call("GET", "/v2/apps/not-existent/tasks")).status).toBe(404);
    await call("POST", "/v2/apps", { id: "/existing-app", cmd: "sleep 60", instances: 0 });
    expect(await call("POST", "/v2/apps", { id: "/existing-app", cmd: "sleep 60" })).toMatchObject({ status: 409, json: { message: "An app with id [/existing-app] already exists." } });
    expect(await call("POST", "/v2/apps", "{not json")).toMatchObject({ status: 400, json: { message: "Invalid JSON" } });
    const invalid = await call("POST", "/v2/apps", { id: "/Upper_Case", instances: -1 });
    expect(invalid.status).toBe(422);
    expect(invalid.json["message"]).toBe("Object is not valid");
    expect((invalid.json["details"] as { path: string }[]).map((d) => d.path).sort()).toEqual(["/", "/id", "/instances"]);
    // v2/apps.raml: 404 "Task 'not-existing' does not exist"; v2/tasks.raml: 400 for an id Marathon cannot parse.
    expect(await call("DELETE", "/v2/apps/existing-app/tasks/existing-app.instance-00000000-0000-0000-0000-000000000000._app.1")).toMatchObject({
      status: 404,
      json: { message: "Task 'existing-app.instance-00000000-0000-0000-0000-000000000000._app.1' does not exist" },
    });
    const bulk = await call("POST", "/v2/tasks/delete?scale=true", { ids: ["not_known"] });
    expect(bulk.status).toBe(400);
    expect(bulk.json["message"]).toMatch(/^Invalid task id 'not_known'/);
    await waitNoDeployment("/existing-app");
    await call("DELETE", "/v2/apps/existing-app");
  });

  it("runs tasks as processes with MESOS_TASK_ID, PORT0, PORT_<NAME> and MARATHON_APP_ID", async () => {
    const cmd = `echo "$MESOS_TASK_ID $PORT0 $PORT_WORKER $PORT_NANNY $PORTS $MARATHON_APP_ID $EXTRA" > ${out}/"$MESOS_TASK_ID"; exec sleep 60`;
    await call("POST", "/v2/apps", { id: "/env/app", cmd, instances: 2, env: { EXTRA: "x y" }, portDefinitions: [{ port: 0, name: "worker" }, { port: 0, name: "nanny" }] });
    expect(await waitNoDeployment("/env/app")).toBe(true);
    const tasks = (await call("GET", "/v2/apps/env/app/tasks")).json["tasks"] as { id: string; ports: number[] }[];
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(await eventually(async () => (await readFile(join(out, task.id), "utf8").catch(() => "")) !== "", 10_000)).toBe(true);
      const [p0, p1] = task.ports;
      expect((await readFile(join(out, task.id), "utf8")).trim()).toBe(`${task.id} ${p0} ${p0} ${p1} ${p0},${p1} /env/app x y`);
    }
    // Kill one with scale=true: one deployment, instances drop by one, its process ends; unknown (valid) ids are ignored.
    const before = marathon.livePids().length;
    const killed = await call("POST", "/v2/tasks/delete?scale=true", { ids: [tasks[0]?.id, "env_app.instance-00000000-0000-0000-0000-000000000000._app.1"] });
    expect(killed.status).toBe(200);
    expect(keysOf(killed.json)).toEqual(["deploymentId", "version"]);
    expect(((await call("GET", "/v2/apps/env/app")).json["app"] as { instances: number }).instances).toBe(1);
    expect(await eventually(() => marathon.livePids().length === before - 1, 10_000)).toBe(true);
    await waitNoDeployment("/env/app");
    await call("DELETE", "/v2/apps/env/app");
    expect(await eventually(() => marathon.livePids().length === 0, 20_000)).toBe(true);
  });

  it("relaunches a failing task with backoff and records Mesos' message as lastTaskFailure", async () => {
    await call("POST", "/v2/apps", { id: "/failing", cmd: "echo boom >&2; exit 3", instances: 1, backoffSeconds: 1, backoffFactor: 1 });
    const seen = new Set<string>();
    const relaunched = await eventually(async () => {
      const failure = ((await call("GET", "/v2/apps/failing?embed=app.lastTaskFailure")).json["app"] as { lastTaskFailure?: { taskId: string } }).lastTaskFailure;
      if (failure) seen.add(failure.taskId);
      return seen.size >= 2;
    }, 20_000, 50);
    expect(relaunched).toBe(true);
    const app = (await call("GET", "/v2/apps/failing?embed=app.lastTaskFailure")).json["app"] as { instances: number; lastTaskFailure: Record<string, string> };
    expect(app.instances).toBe(1);
    expect(app.lastTaskFailure).toMatchObject({ appId: "/failing", state: "TASK_FAILED", message: "Command exited with status 3" });
    expect(keysOf(app.lastTaskFailure)).toEqual(["appId", "host", "message", "slaveId", "state", "taskId", "timestamp", "version"]);
    // The failed task's stderr, through the Mesos agent's /files/read at its sandbox's virtual path.
    const info = (await call("GET", "/v2/info")).json;
    expect(Object.keys(info).filter((k) => !Object.keys(golden("info.json") as object).includes(k))).toEqual([]);
    const stderr = `/frameworks/${info["frameworkId"]}/executors/${app.lastTaskFailure["taskId"]}/runs/latest/stderr`;
    expect((await call("GET", `/files/read?path=${encodeURIComponent(stderr)}&offset=-1`)).json).toEqual({ data: "", offset: 5 });
    expect((await call("GET", `/files/read?path=${encodeURIComponent(stderr)}&offset=0&length=100`)).json).toEqual({ data: "boom\n", offset: 0 });
    expect((await call("GET", `/files/read?path=${encodeURIComponent("/frameworks/x/executors/y/runs/latest/stderr")}`)).status).toBe(404);
    await call("DELETE", "/v2/apps/failing?force=true");
  });

  it("checks credentials: HTTP Basic and Authorization: token=", async () => {
    for (const [auth, good] of [
      [{ username: "u", password: "p" }, `Basic ${Buffer.from("u:p").toString("base64")}`],
      [{ token: "t0k" }, "token=t0k"],
    ] as const) {
      const secured = await startMarathonEmulator({ auth });
      try {
        const denied = await fetch(`${secured.url}/v2/apps`);
        expect(denied.status).toBe(401);
        expect(await denied.json()).toEqual({ message: "Invalid username or password." });
        expect((await fetch(`${secured.url}/v2/apps`, { headers: { Authorization: good } })).status).toBe(200);
        expect((await fetch(`${secured.url}/ping`)).status).toBe(200);
      } finally {
        await secured.close();
      }
    }
  });
});
