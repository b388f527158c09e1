/**
 * The Kubernetes API server EMULATOR, driven by the official client (@kubernetes/client-node) with
 * the kubeconfig the emulator writes: answers compared with golden samples of the Kubernetes API
 * reference and conventions (./kubernetes-samples.ts), pods as real processes through their
 * phases and container states, selectors, watch (and 410 Expired), deletecollection, logs, auth,
 * and a real Dask worker pod joining a real scheduler pod.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { execa } from "execa";
import { createServer, type AddressInfo, type Server } from "node:net";
import { CoreV1Api, KubeConfig, PortForward, Watch, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, findProcesses, freePort, PYTHON, runPython, startKubernetesEmulator, type KubernetesEmulator } from "../src/index.js";
import { EXPIRED_MESSAGE, POD_FIELDS_REFERENCE, POD_LIST_SAMPLE, STATUS_404_SAMPLE, STATUS_REASONS, WATCH_EVENTS_SAMPLE } from "./kubernetes-samples.js";

const keysOf = (value: unknown): string[] => Object.keys(value as object).sort();
const outside = (value: unknown, allowed: readonly string[]) => keysOf(value).filter((k) => !allowed.includes(k));
const namespace = "default";

/** A pod running `command` (argv, no shell), with labels. */
function podBody(name: string, command: string[], extra: { labels?: Record<string, string>; restartPolicy?: string; image?: string; env?: unknown[]; resources?: unknown; grace?: number } = {}): V1Pod {
  return {
    metadata: { name, labels: extra.labels ?? {} },
    spec: {
      restartPolicy: extra.restartPolicy ?? "Always",
      ...(extra.grace === undefined ? {} : { terminationGracePeriodSeconds: extra.grace }),
      containers: [{ name: "main", image: extra.image ?? "busybox:1.36", command, ...(extra.env ? { env: extra.env } : {}), ...(extra.resources ? { resources: extra.resources } : {}) }],
    },
  } as V1Pod;
}

/** The code and parsed Status of a client call that must fail. */
async function failure(call: Promise<unknown>): Promise<{ code: number; body: Record<string, any> }> {
  try {
    await call;
  } catch (error) {
    const { code, body } = error as { code: number; body: unknown };
    return { code, body: (typeof body === "string" ? JSON.parse(body) : body) as Record<string, any> };
  }
  throw new Error("the call succeeded");
}

describe("Kubernetes emulator", () => {
  let k8s: KubernetesEmulator;
  let api: CoreV1Api;
  let kc: KubeConfig;
  const pod = async (name: string) => api.readNamespacedPod({ name, namespace });
  const waitFor = async (name: string, check: (p: V1Pod) => boolean, ms = 20_000) => eventually(async () => check(await pod(name)), ms, 100);

  beforeAll(async () => {
    k8s = await startKubernetesEmulator({
      missingImages: ["registry.example/no-such-image:1.0"],
      allocatable: { cpu: "4", memory: "8Gi" },
      timings: { createMs: 50, pullBackoffMs: 400, crashBackoffMs: 300, maxBackoffMs: 2000, configRetryMs: 300 },
    });
    kc = new KubeConfig();
    kc.loadFromFile(k8s.kubeconfigPath);
    api = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await k8s?.close();
  });

  it("answers Pod, PodList and a 404 Status in the reference's shapes", async () => {
    const created = await api.createNamespacedPod({ namespace, body: podBody("shapes", ["sleep", "300"], { labels: { app: "shapes" } }) });
    expect(created.metadata?.name).toBe("shapes");
    expect(created.status?.phase).toBe("Pending");
    expect(await waitFor("shapes", (p) => p.status?.phase === "Running")).toBe(true);
    // The raw JSON (the client's models would hide unknown fields): only fields of the API reference.
    const raw = (await (await fetch(`${k8s.url}/api/v1/namespaces/default/pods/shapes`, { headers: { Authorization: `Bearer ${k8s.token}` } })).json()) as Record<string, any>;
    expect(raw).toMatchObject({ kind: "Pod", apiVersion: "v1" });
    expect(outside(raw, POD_FIELDS_REFERENCE.pod)).toEqual([]);
    expect(outside(raw["status"], POD_FIELDS_REFERENCE.podStatus)).toEqual([]);
    for (const condition of raw["status"].conditions) expect(outside(condition, POD_FIELDS_REFERENCE.podCondition)).toEqual([]);
    const [status] = raw["status"].containerStatuses;
    expect(outside(status, POD_FIELDS_REFERENCE.containerStatus)).toEqual([]);
    for (const field of POD_FIELDS_REFERENCE.containerStatusRequired) expect(status).toHaveProperty(field);
    expect(outside(status.state.running, POD_FIELDS_REFERENCE.running)).toEqual([]);
    expect(raw["status"]).toMatchObject({ phase: "Running", podIP: "127.0.0.1", hostIP: "127.0.0.1", qosClass: "BestEffort" });
    expect(raw["status"].conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`).sort()).toEqual(["ContainersReady=True", "Initialized=True", "PodScheduled=True", "Ready=True"]);

    // The PodList of api-concepts.md: same top-level fields, resourceVersion a string; items without kind.
    const listed = (await (await fetch(`${k8s.url}/api/v1/namespaces/default/pods?labelSelector=app%3Dshapes`, { headers: { Authorization: `Bearer ${k8s.token}` } })).json()) as Record<string, any>;
    const sample = JSON.parse(POD_LIST_SAMPLE) as Record<string, any>;
    expect(keysOf(listed)).toEqual(keysOf(sample));
    expect(listed).toMatchObject({ kind: sample["kind"], apiVersion: sample["apiVersion"] });
    expect(listed["metadata"].resourceVersion).toMatch(/^\d+$/);
    expect(listed["items"].map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["shapes"]);

    // The 404 example of the API conventions, byte for byte once parsed.
    const missing = await fetch(`${k8s.url}/api/v1/namespaces/default/pods/grafana`, { headers: { Authorization: `Bearer ${k8s.token}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(JSON.parse(STATUS_404_SAMPLE));
    expect((await failure(pod("grafana"))).code).toBe(404);
    await api.deleteNamespacedPod({ name: "shapes", namespace, gracePeriodSeconds: 0 });
  });

  it("answers 409, 422 and 400 as Status objects with the conventions' reasons and codes", async () => {
    await api.createNamespacedPod({ namespace, body: podBody("twice", ["sleep", "300"]) });
    const exists = await failure(api.createNamespacedPod({ namespace, body: podBody("twice", ["sleep", "300"]) }));
    expect(exists.code).toBe(STATUS_REASONS.AlreadyExists);
    expect(exists.body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'pods "twice" already exists', reason: "AlreadyExists", details: { name: "twice", kind: "pods" }, code: 409 });

    const bad = await failure(api.createNamespacedPod({ namespace, body: { metadata: { name: "bad" }, spec: { containers: [{ name: "", image: "" }] } } as V1Pod }));
    expect(bad.code).toBe(STATUS_REASONS.Invalid);
    expect(bad.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Invalid", code: 422, message: 'Pod "bad" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]' });
    expect(bad.body["details"]).toEqual({
      name: "bad",
      kind: "Pod",
      causes: [
        { reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].name" },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].image" },
      ],
    });
    const policy = await failure(api.createNamespacedPod({ namespace, body: podBody("policy", ["true"], { restartPolicy: "Sometimes" }) }));
    expect(policy.body["message"]).toBe('Pod "policy" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');

    const conflict = await failure(api.deleteNamespacedPod({ name: "twice", namespace, body: { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } } }));
    expect(conflict.code).toBe(STATUS_REASONS.Conflict);
    expect(conflict.body).toMatchObject({ reason: "Conflict", message: expect.stringMatching(/^Operation cannot be fulfilled on pods "twice": Precondition failed: UID in precondition: 0{8}-/) });
    expect((await failure(api.listNamespacedPod({ namespace, labelSelector: "app in (a,b" }))).body).toMatchObject({ reason: "BadRequest", code: 400 });
    expect((await failure(api.listNamespacedPod({ namespace, fieldSelector: "spec.image=x" }))).body).toMatchObject({ reason: "BadRequest", message: "field label not supported: spec.image" });
    expect((await failure(api.createNamespacedPod({ namespace: "nowhere", body: podBody("lost", ["true"]) }))).body).toMatchObject({ reason: "NotFound", message: 'namespaces "nowhere" not found' });
    await api.deleteNamespacedPod({ name: "twice", namespace, gracePeriodSeconds: 0 });
  });

  it("refuses a wrong bearer token (401) and anonymous requests (403)", async () => {
    const wrong = new KubeConfig();
    wrong.loadFromString(k8s.kubeconfig({ token: "not-the-token" }));
    expect((await failure(wrong.makeApiClient(CoreV1Api).listNamespacedPod({ namespace }))).code).toBe(STATUS_REASONS.Unauthorized);
    const denied = await fetch(`${k8s.url}/api/v1/namespaces/default/pods`, { headers: { Authorization: "Bearer not-the-token" } });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    const anonymous = await fetch(`${k8s.url}/api/v1/namespaces/default/pods`);
    expect(anonymous.status).toBe(STATUS_REASONS.Forbidden);
    expect(await anonymous.json()).toMatchObject({ reason: "Forbidden", message: 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"' });
    expect((await fetch(`${k8s.url}/version`)).status).toBe(200);
  });

  it("creates 8 pods, lists them with ONE request per selector, watches them and removes all 8 with ONE deletecollection", async () => {
    const marker = "424242";
    const list = await api.listNamespacedPod({ namespace });
    const events: { type: string; name: string; phase: string | undefined; rv: string }[] = [];
    const watcher = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: "daskq.io/cluster=c8", resourceVersion: list.metadata?.resourceVersion }, (type, object: V1Pod) => {
      events.push({ type, name: object.metadata?.name ?? "", phase: object.status?.phase, rv: object.metadata?.resourceVersion ?? "" });
    }, () => undefined);
    try {
      const before = k8s.requests.length;
      await Promise.all(Array.from({ length: 8 }, (_, i) =>
        api.createNamespacedPod({ namespace, body: podBody(`c8-worker-${i}`, ["sleep", marker], { labels: { "daskq.io/cluster": "c8", "daskq.io/pool": i < 4 ? "cpu" : "gpu" }, grace: 1 }) })));
      expect(k8s.requests.slice(before).filter((r) => r.verb === "create" && r.resource === "pods")).toHaveLength(8);
      expect(await eventually(async () => (await api.listNamespacedPod({ namespace, labelSelector: "daskq.io/cluster=c8", fieldSelector: "status.phase=Running" })).items.length === 8, 20_000)).toBe(true);
      expect(await eventually(async () => (await findProcesses(`sleep ${marker}`)).length === 8, 10_000)).toBe(true);

      const counted = async (selector: { labelSelector?: string; fieldSelector?: string }) => {
        const start = k8s.requests.length;
        const names = (await api.listNamespacedPod({ namespace, ...selector })).items.map((p) => p.metadata?.name).sort();
        expect(k8s.requests.slice(start).map((r) => `${r.verb} ${r.resource}`)).toEqual(["list pods"]);
        return names;
      };
      const all = Array.from({ length: 8 }, (_, i) => `c8-worker-${i}`);
      expect(await counted({ labelSelector: "daskq.io/cluster=c8" })).toEqual(all);
      expect(await counted({ labelSelector: "daskq.io/cluster==c8,daskq.io/pool in (gpu, other)" })).toEqual(all.slice(4));
      expect(await counted({ labelSelector: "daskq.io/cluster=c8,daskq.io/pool notin (gpu)" })).toEqual(all.slice(0, 4));
      expect(await counted({ labelSelector: "daskq.io/cluster=c8,daskq.io/pool!=cpu" })).toEqual(all.slice(4));
      expect(await counted({ labelSelector: "daskq.io/pool,daskq.io/cluster=c8" })).toEqual(all);
      expect(await counted({ labelSelector: "daskq.io/cluster=c8,!daskq.io/pool" })).toEqual([]);
      expect(await counted({ labelSelector: "daskq.io/cluster=c8", fieldSelector: "status.phase!=Running" })).toEqual([]);

      // The watch saw each pod ADDED then MODIFIED to Running, with growing resourceVersions.
      expect(await eventually(() => all.every((n) => events.some((e) => e.name === n && e.type === "MODIFIED" && e.phase === "Running")), 10_000)).toBe(true);
      for (const name of all) expect(events.find((e) => e.name === name)?.type).toBe("ADDED");
      const versions = events.map((e) => Number(e.rv));
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      // The sample events' shape: type and object with kind, apiVersion, metadata.resourceVersion.
      for (const line of WATCH_EVENTS_SAMPLE) expect(keysOf(JSON.parse(line))).toEqual(["object", "type"]);

      const start = k8s.requests.length;
      const deleted = await api.deleteCollectionNamespacedPod({ namespace, labelSelector: "daskq.io/cluster=c8" });
      expect(k8s.requests.slice(start).map((r) => `${r.verb} ${r.resource}`)).toEqual(["deletecollection pods"]);
      // The API server answers a deletecollection with the list of deleted pods (the client types it V1Status).
      expect(deleted.kind).toBe("PodList");
      expect(await eventually(async () => (await findProcesses(`sleep ${marker}`)).length === 0, 15_000)).toBe(true);
      expect(await eventually(() => all.every((n) => events.some((e) => e.name === n && e.type === "DELETED")), 10_000)).toBe(true);
      expect((await api.listNamespacedPod({ namespace, labelSelector: "daskq.io/cluster=c8" })).items).toEqual([]);
    } finally {
      watcher.abort();
    }
  });

  it("answers a watch from a resourceVersion older than its history with an ERROR event: 410 Expired", async () => {
    const old = (await api.listNamespacedPod({ namespace })).metadata?.resourceVersion as string;
    await api.createNamespacedPod({ namespace, body: podBody("compacted", ["sleep", "300"]) });
    k8s.compactHistory();
    const events: { type: string; object: Record<string, any> }[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { resourceVersion: old }, (type, object) => events.push({ type, object }), resolve);
    });
    await ended;
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("ERROR");
    expect(events[0]?.object).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410 });
    expect(events[0]?.object["message"]).toMatch(EXPIRED_MESSAGE);
    expect(events[0]?.object["message"]).toBe(`too old resource version: ${old} (${Number(old) + 1})`);
    // A watch from a version the list just gave works again.
    const now = (await api.listNamespacedPod({ namespace })).metadata?.resourceVersion as string;
    const seen: string[] = [];
    const watcher = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { resourceVersion: now }, (type, object: V1Pod) => seen.push(`${type} ${object.metadata?.name}`), () => undefined);
    await api.deleteNamespacedPod({ name: "compacted", namespace, gracePeriodSeconds: 0 });
    expect(await eventually(() => seen.includes("DELETED compacted"), 10_000)).toBe(true);
    watcher.abort();
  });

  it("keeps a pod whose requests exceed the node Pending: PodScheduled=False, Unschedulable", async () => {
    await api.createNamespacedPod({ namespace, body: podBody("too-big", ["sleep", "300"], { resources: { requests: { cpu: "16", memory: "1Gi" } } }) });
    expect(await waitFor("too-big", (p) => (p.status?.conditions ?? []).some((c) => c.type === "PodScheduled"))).toBe(true);
    const { status, spec } = await pod("too-big");
    expect(status?.phase).toBe("Pending");
    expect(spec?.nodeName).toBeUndefined();
    expect(status?.containerStatuses).toBeUndefined();
    expect(status?.conditions).toEqual([expect.objectContaining({ type: "PodScheduled", status: "False", reason: "Unschedulable", message: expect.stringMatching(/^0\/1 nodes are available: 1 Insufficient cpu\./) })]);
    // No port-forward to a pod that does not run.
    const start = k8s.requests.length;
    await expect(new PortForward(kc).portForward(namespace, "too-big", [8786], new PassThrough(), null, new PassThrough())).rejects.toThrow();
    expect(k8s.requests.slice(start).map((r) => `${r.resource} ${r.status}`)).toEqual(["pods/portforward 400"]);
    await api.deleteNamespacedPod({ name: "too-big", namespace });
    expect((await failure(pod("too-big"))).code).toBe(404);
  });

  it("reports ErrImagePull, then ImagePullBackOff, for a missing image, and starts it once it is there", async () => {
    await api.createNamespacedPod({ namespace, body: podBody("bad-image", ["sleep", "300"], { image: "registry.example/no-such-image:1.0" }) });
    const reasons = new Set<string>();
    expect(await waitFor("bad-image", (p) => {
      const reason = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason) reasons.add(reason);
      return reasons.has("ErrImagePull") && reasons.has("ImagePullBackOff");
    })).toBe(true);
    const { status } = await pod("bad-image");
    expect(status?.phase).toBe("Pending");
    expect(status?.containerStatuses?.[0]).toMatchObject({ ready: false, restartCount: 0, image: "registry.example/no-such-image:1.0" });
    const log = await failure(api.readNamespacedPodLog({ name: "bad-image", namespace }));
    expect(log.code).toBe(400);
    k8s.setImageMissing("registry.example/no-such-image:1.0", false);
    expect(await waitFor("bad-image", (p) => p.status?.phase === "Running")).toBe(true);
    await api.deleteNamespacedPod({ name: "bad-image", namespace, gracePeriodSeconds: 0 });
  });

  it("puts a container that keeps failing under restartPolicy Always into CrashLoopBackOff, with restartCount and lastState", async () => {
    await api.createNamespacedPod({ namespace, body: podBody("crasher", ["/bin/sh", "-c", "echo attempt; echo boom >&2; exit 3"]) });
    expect(await waitFor("crasher", (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff")).toBe(true);
    const { status, metadata } = await pod("crasher");
    const container = status?.containerStatuses?.[0];
    expect(status?.phase).toBe("Running");
    expect(container?.lastState?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(container?.state?.waiting?.message).toMatch(new RegExp(`^back-off \\d+s restarting failed container=main pod=crasher_default\\(${metadata?.uid}\\)$`));
    expect(status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [main]" });
    // The previous run's log, stdout and stderr together; tailLines.
    expect(await api.readNamespacedPodLog({ name: "crasher", namespace, previous: true })).toBe("attempt\nboom\n");
    expect(await api.readNamespacedPodLog({ name: "crasher", namespace, previous: true, tailLines: 1 })).toBe("boom\n");
    await api.deleteNamespacedPod({ name: "crasher", namespace, gracePeriodSeconds: 0 });
  });

  it("ends a pod under restartPolicy Never: Failed with the exit code, or Succeeded", async () => {
    await api.createNamespacedPod({ namespace, body: podBody("fails-once", ["/bin/sh", "-c", "exit 7"], { restartPolicy: "Never" }) });
    await api.createNamespacedPod({ namespace, body: podBody("succeeds", ["/bin/sh", "-c", "echo done"], { restartPolicy: "Never" }) });
    expect(await waitFor("fails-once", (p) => p.status?.phase === "Failed")).toBe(true);
    expect((await pod("fails-once")).status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 7, reason: "Error" } } });
    expect(await waitFor("succeeds", (p) => p.status?.phase === "Succeeded")).toBe(true);
    expect((await pod("succeeds")).status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect((await pod("succeeds")).status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
    // A command that does not exist: the runtime's StartError, exit code 128.
    await api.createNamespacedPod({ namespace, body: podBody("no-binary", ["/no/such/binary"], { restartPolicy: "Never" }) });
    expect(await waitFor("no-binary", (p) => p.status?.phase === "Failed")).toBe(true);
    expect((await pod("no-binary")).status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 128, reason: "StartError", message: expect.stringContaining("/no/such/binary") });
    const failed = await api.listNamespacedPod({ namespace, fieldSelector: "status.phase=Failed" });
    expect(failed.items.map((p) => p.metadata?.name)).toEqual(["fails-once", "no-binary"]);
    await api.deleteCollectionNamespacedPod({ namespace, fieldSelector: "status.phase!=Running" });
  });

  it("passes the pod's env, $(VAR) references, the downward API and configMap/secret keys; a missing configMap is CreateContainerConfigError", async () => {
    const env = [
      { name: "GREETING", value: "hello world" },
      { name: "MESSAGE", value: "$(GREETING) from $(POD_NAME)" },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "ROLE", valueFrom: { fieldRef: { fieldPath: "metadata.labels['role']" } } },
      { name: "SETTING", valueFrom: { configMapKeyRef: { name: "settings", key: "level" } } },
      { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "credentials", key: "password" } } },
    ];
    const owner = { apiVersion: "v1", kind: "Pod", name: "owner", uid: "11111111-1111-1111-1111-111111111111", controller: true };
    const body = podBody("env-pod", ["/bin/sh", "-c", 'echo "$GREETING|$MESSAGE|$POD_NAME|$POD_IP|$ROLE|$SETTING|$PASSWORD|$HOSTNAME"; exec sleep 300'], { labels: { role: "worker" }, env });
    const created = await api.createNamespacedPod({ namespace, body: { ...body, metadata: { ...body.metadata, ownerReferences: [owner] } } });
    expect(created.metadata?.ownerReferences).toEqual([owner]);
    expect(await waitFor("env-pod", (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError")).toBe(true);
    expect((await pod("env-pod")).status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('configmap "settings" not found');
    await api.createNamespacedConfigMap({ namespace, body: { metadata: { name: "settings" }, data: { level: "debug" } } });
    expect(await waitFor("env-pod", (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.message === 'secret "credentials" not found')).toBe(true);
    await api.createNamespacedSecret({ namespace, body: { metadata: { name: "credentials" }, stringData: { password: "s3cret" } } });
    expect(await waitFor("env-pod", (p) => p.status?.phase === "Running")).toBe(true);
    expect(await eventually(async () => (await api.readNamespacedPodLog({ name: "env-pod", namespace })) !== "", 10_000)).toBe(true);
    expect(await api.readNamespacedPodLog({ name: "env-pod", namespace })).toBe("hello world|hello world from $(POD_NAME)|env-pod|127.0.0.1|worker|debug|s3cret|env-pod\n");
    expect((await pod("env-pod")).metadata?.labels).toEqual({ role: "worker" });
    await api.deleteNamespacedPod({ name: "env-pod", namespace, gracePeriodSeconds: 0 });
    await api.deleteNamespacedConfigMap({ name: "settings", namespace });
    await api.deleteNamespacedSecret({ name: "credentials", namespace });
  });

  it("deletes a pod gracefully: SIGTERM, SIGKILL after terminationGracePeriodSeconds, then DELETED", async () => {
    const marker = "737373";
    // A shell that ignores SIGTERM (its child sleep is in the same process group and does not).
    await api.createNamespacedPod({ namespace, body: podBody("stubborn", ["/bin/sh", "-c", `trap 'echo got TERM' TERM; while true; do sleep 0.2; done # ${marker}`], { grace: 2 }) });
    expect(await waitFor("stubborn", (p) => p.status?.phase === "Running")).toBe(true);
    expect(await eventually(async () => (await findProcesses(marker)).length === 1, 10_000)).toBe(true);
    const started = Date.now();
    const answer = await api.deleteNamespacedPod({ name: "stubborn", namespace });
    expect(answer.metadata?.deletionTimestamp).toBeDefined();
    expect(answer.metadata?.deletionGracePeriodSeconds).toBe(2);
    // Still there while terminating; gone once the grace period ran out and SIGKILL ended it.
    expect((await pod("stubborn")).metadata?.deletionTimestamp).toBeDefined();
    expect(await eventually(async () => (await api.readNamespacedPodLog({ name: "stubborn", namespace })).includes("got TERM"), 1500, 50)).toBe(true);
    expect(await eventually(async () => (await failure(pod("stubborn")).catch(() => ({ code: 200 }))).code === 404, 15_000, 100)).toBe(true);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(await findProcesses(marker)).toEqual([]);
    expect(await api.readNamespacedPodLog({ name: "stubborn", namespace }).catch(() => "gone")).toBe("gone");
  });

  it("creates, gets and deletes a Service for a scheduler pod", async () => {
    const created = await api.createNamespacedService({ namespace, body: { metadata: { name: "scheduler", labels: { app: "dask" } }, spec: { selector: { "daskq.io/role": "scheduler" }, ports: [{ name: "comm", port: 8786 }, { name: "dashboard", port: 8787 }] } } });
    expect(created.spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None", ports: [{ name: "comm", port: 8786, protocol: "TCP", targetPort: 8786 }, { name: "dashboard", port: 8787, protocol: "TCP", targetPort: 8787 }] });
    expect(created.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect((await api.readNamespacedService({ name: "scheduler", namespace })).metadata?.uid).toBe(created.metadata?.uid);
    expect((await failure(api.createNamespacedService({ namespace, body: { metadata: { name: "scheduler" }, spec: { ports: [{ port: 1 }] } } }))).code).toBe(409);
    expect((await failure(api.createNamespacedService({ namespace, body: { metadata: { name: "no-ports" }, spec: {} } }))).body["message"]).toBe('Service "no-ports" is invalid: spec.ports: Required value');
    await api.deleteNamespacedService({ name: "scheduler", namespace });
    expect((await failure(api.readNamespacedService({ name: "scheduler", namespace }))).body).toMatchObject({ reason: "NotFound", message: 'services "scheduler" not found' });
  });

  it("watches with a fieldSelector: a pod leaving status.phase=Running is DELETED from that watch", async () => {
    const seen: string[] = [];
    const watcher = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { fieldSelector: "status.phase=Running", labelSelector: "test=phase-watch" }, (type, object: V1Pod) => seen.push(`${type} ${object.status?.phase}`), () => undefined);
    try {
      await api.createNamespacedPod({ namespace, body: podBody("phase-watch", ["/bin/sh", "-c", "sleep 1; exit 1"], { restartPolicy: "Never", labels: { test: "phase-watch" } }) });
      expect(await waitFor("phase-watch", (p) => p.status?.phase === "Failed")).toBe(true);
      expect(await eventually(() => seen.length >= 2, 5000, 50)).toBe(true);
      // Pending is not selected: the pod enters the watch when it runs, and leaves it when it fails (with its last selected state).
      expect(seen).toEqual(["ADDED Running", "DELETED Running"]);
    } finally {
      watcher.abort();
      await api.deleteNamespacedPod({ name: "phase-watch", namespace });
    }
  });

  it("serves HTTPS with its certificate as the kubeconfig's certificate-authority-data", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-kubernetes-tls-"));
    try {
      await execa("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]);
      const secure = await startKubernetesEmulator({ tls: { key: await readFile(join(dir, "key.pem"), "utf8"), cert: await readFile(join(dir, "cert.pem"), "utf8") } });
      try {
        expect(secure.url.startsWith("https://127.0.0.1:")).toBe(true);
        const config = new KubeConfig();
        config.loadFromFile(secure.kubeconfigPath);
        expect(config.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
        expect((await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items).toEqual([]);
        // Without the CA, the client refuses the server's certificate.
        const untrusted = new KubeConfig();
        untrusted.loadFromString(secure.kubeconfig().replace(/ +certificate-authority-data: .*\n/, ""));
        await expect(untrusted.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).rejects.toThrow(/certificate/i);
      } finally {
        await secure.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("forwards a pod's port over the client's PortForward: 300 KB through an echo server and back", async () => {
    const port = await freePort();
    const echo = "import socket\ns = socket.create_server(('127.0.0.1', int(__import__('sys').argv[1])))\nwhile True:\n    c, _ = s.accept()\n    while (d := c.recv(65536)):\n        c.sendall(d)\n    c.close()";
    await api.createNamespacedPod({ namespace, body: podBody("echo", [PYTHON, "-c", echo, String(port)]) });
    expect(await waitFor("echo", (p) => p.status?.phase === "Running")).toBe(true);
    const payload = Buffer.alloc(300_000, "daskq-");
    let received = Buffer.alloc(0);
    const input = new PassThrough();
    const output = new PassThrough();
    output.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    // The echo server may not listen yet right after the start: try until a tunnel answers.
    expect(await eventually(async () => {
      received = Buffer.alloc(0);
      const ws = await new PortForward(kc).portForward(namespace, "echo", [port], output, null, input);
      input.write(Buffer.from("ping"));
      const ok = await eventually(() => received.toString() === "ping", 1000, 20);
      if (!ok) (ws as { close(): void }).close();
      return ok;
    }, 10_000, 100)).toBe(true);
    received = Buffer.alloc(0);
    input.write(payload);
    expect(await eventually(() => received.length >= payload.length, 10_000, 20)).toBe(true);
    expect(received.equals(payload)).toBe(true);
    input.end();
    await api.deleteNamespacedPod({ name: "echo", namespace, gracePeriodSeconds: 0 });
  });

  it("runs a real Dask worker as a pod that registers with a real scheduler pod", async () => {
    const port = await freePort();
    const address = `tcp://127.0.0.1:${port}`;
    await api.createNamespacedPod({ namespace, body: podBody("dask-scheduler", [PYTHON, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", String(port), "--dashboard-address", ":0"], { labels: { "daskq.io/role": "scheduler" } }) });
    await api.createNamespacedPod({ namespace, body: podBody("dask-worker-0", [PYTHON, "-m", "distributed.cli.dask_worker", address, "--name", "$(POD_NAME)", "--nthreads", "1", "--no-dashboard", "--host", "$(POD_IP)"], {
      labels: { "daskq.io/role": "worker" },
      env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
    }) });
    const client = `
import sys, time
from distributed import Client
client = Client(sys.argv[1], timeout=30)
deadline = time.time() + 60
while time.time() < deadline and not client.scheduler_info()["workers"]:
    time.sleep(0.2)
names = sorted(w["name"] for w in client.scheduler_info()["workers"].values())
print(",".join(names), client.submit(lambda x: x + 1, 41).result())
`;
    const result = await runPython(client, [address], 120_000);
    expect(result.stderr.includes("Traceback") ? result.stderr : "").toBe("");
    expect(result.stdout.trim()).toBe("dask-worker-0 42");
    expect(await api.readNamespacedPodLog({ name: "dask-worker-0", namespace, tailLines: 50 })).toMatch(/Registered to:\s+tcp:\/\/127\.0\.0\.1:/);

    // The same scheduler through the client library's port-forward: a local port, one WebSocket per connection.
    const forward = new PortForward(kc);
    const local: Server = createServer((socket) => void forward.portForward(namespace, "dask-scheduler", [port], socket, null, socket).catch(() => socket.destroy()));
    await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
    try {
      const before = k8s.requests.filter((r) => r.resource === "pods/portforward").length;
      const forwarded = await runPython(client, [`tcp://127.0.0.1:${(local.address() as AddressInfo).port}`], 120_000);
      expect(forwarded.stdout.trim()).toBe("dask-worker-0 42");
      const tunnels = k8s.requests.filter((r) => r.resource === "pods/portforward" && r.status === 101).length - before;
      expect(tunnels).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
    await api.deleteCollectionNamespacedPod({ namespace, labelSelector: "daskq.io/role in (scheduler, worker)", gracePeriodSeconds: 5 });
    expect(await eventually(() => k8s.livePids().length === 0, 20_000)).toBe(true);
    expect(await findProcesses(address.slice("tcp://".length))).toEqual([]);
  });
});
