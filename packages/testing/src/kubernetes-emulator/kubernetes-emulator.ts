import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRequestBody } from "../read-request-body.js";
import { alreadyExists, ApiError, badRequest, conflict, forbidden, methodNotAllowed, notFound, unauthorized } from "./api-status.js";
import { containerEnv } from "./container-env.js";
import type { KubeletTimings } from "./emulated-container.js";
import { EmulatedPod, POD_FIELDS, podFields, type PodJson } from "./emulated-pod.js";
import { renderKubeconfig } from "./kubeconfig.js";
import { PLAIN_KINDS, plainObjectWithDefaults, type PlainResource } from "./plain-objects.js";
import { podSpecWithDefaults, validatePod, type ObjectMetaJson } from "./pod-manifest.js";
import { servePortForward } from "./port-forward.js";
import { parseQuantity } from "./quantity.js";
import { parseFieldSelector, parseLabelSelector, type Selector } from "./selectors.js";
import { WatchHistory, type StoredEvent, type WatchEventType } from "./watch-history.js";

/** Settings of one Kubernetes API server EMULATOR. */
export interface KubernetesEmulatorOptions {
  /** The bearer token the emulator accepts. Default: a random one (written into the kubeconfig). */
  readonly token?: string;
  /** Serve HTTPS with this key and certificate (PEM); the certificate goes into the kubeconfig as the CA. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Namespaces that exist. Default `default` and `kube-system`. */
  readonly namespaces?: readonly string[];
  /** The emulated node's allocatable resources (quantities). Default cpu 4, memory 8Gi, pods 110. */
  readonly allocatable?: { readonly cpu?: string; readonly memory?: string; readonly pods?: number };
  /** Images that "cannot be pulled": their containers go ErrImagePull, then ImagePullBackOff. */
  readonly missingImages?: Iterable<string>;
  /** Kubelet timings (ms). Defaults: create 100, pull back-off 1000, crash back-off 1000, max back-off 10000, config retry 1000. */
  readonly timings?: Partial<KubeletTimings>;
  /** How many changes a watch can resume from (the watch cache's window). Default 1000. */
  readonly watchHistory?: number;
  /** The node's name (spec.nodeName of bound pods). Default `daskq-emulated-node`. */
  readonly nodeName?: string;
}

/** One request the emulator answered, with its Kubernetes verb (for tests that count requests). */
export interface KubernetesRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** create, get, list, watch, delete, deletecollection, or `-` for discovery paths. */
  readonly verb: string;
  /** pods, pods/log, services, configmaps, secrets, namespaces, or `-`. */
  readonly resource: string;
  readonly status: number;
}

/** A running Kubernetes API server EMULATOR. */
export interface KubernetesEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bearer token it accepts. */
  readonly token: string;
  /** A kubeconfig file for this emulator (current context `daskq-emulator`, namespace `default`). */
  readonly kubeconfigPath: string;
  /** Every request answered, in order. */
  readonly requests: KubernetesRequest[];
  /** A kubeconfig as YAML text, e.g. with another token. */
  kubeconfig(overrides?: { readonly token?: string }): string;
  /** The pod's JSON as `GET` would answer it, if it exists. */
  pod(namespace: string, name: string): PodJson | undefined;
  /** Process ids of every container process still alive, deleted pods' included. */
  livePids(): number[];
  /** Forgets the watch history (an etcd compaction): a watch from an older resourceVersion gets 410 Expired. */
  compactHistory(): void;
  /** Makes an image pullable or not from now on (the next pull attempt sees it). */
  setImageMissing(image: string, missing: boolean): void;
  /** Kills every container process, ends the watches, stops the server and removes its files. */
  close(): Promise<void>;
}

const POD_PATH = /^\/api\/v1\/(?:watch\/)?(?:namespaces\/([^/]+)\/)?pods(?:\/([^/]+)(?:\/(log|status))?)?$/;
const PLAIN_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/(services|configmaps|secrets)(?:\/([^/]+))?$/;
const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
const OPEN_PATHS = new Set(["/version", "/healthz", "/readyz", "/livez"]);

/**
 * Starts a Kubernetes API server EMULATOR on 127.0.0.1 (a free port): an HTTP(S) server speaking
 * enough of the core/v1 API for `@kubernetes/client-node` and a kubeconfig it writes. Pods: create,
 * get, list and watch with labelSelector and fieldSelector, delete (graceful: SIGTERM, SIGKILL after
 * the grace period, then DELETED), deletecollection, pods/log with tailLines and previous.
 * Services, ConfigMaps and Secrets: create, get, list, delete. Bearer-token authentication (401
 * for a wrong token, 403 for anonymous). Errors are `Status` objects. Each pod is scheduled onto
 * ONE emulated node (Pending, PodScheduled=False Unschedulable while its requests do not fit the
 * allocatable) and its containers run as REAL local processes (see `EmulatedContainer`).
 * It is an emulator, not Kubernetes: no images, no network namespaces (every pod's IP is
 * 127.0.0.1, a Service's cluster IP does not route), no PATCH/PUT, no port-forward, no log follow.
 */
export async function startKubernetesEmulator(options: KubernetesEmulatorOptions = {}): Promise<KubernetesEmulator> {
  const workDir = mkdtempSync(join(tmpdir(), "daskq-kubernetes-emulator-"));
  const token = options.token ?? randomUUID();
  const namespaces = new Map((options.namespaces ?? ["default", "kube-system"]).map((ns) => [ns, { uid: randomUUID(), creationTimestamp: now() }]));
  const missingImages = new Set(options.missingImages ?? []);
  const history = new WatchHistory(options.watchHistory ?? 1000);
  const requests: KubernetesRequest[] = [];
  const pods = new Map<string, EmulatedPod>();
  /** Deleted pods whose processes are still being stopped (not listed, but their pids count). */
  const dying = new Set<EmulatedPod>();
  /** Each pod's last recorded state, the `previous` of its next event. */
  const recorded = new WeakMap<EmulatedPod, { readonly fingerprint: string; readonly json: PodJson }>();
  const plain = new Map<PlainResource, Map<string, Record<string, unknown>>>(Object.keys(PLAIN_KINDS).map((r) => [r as PlainResource, new Map()]));
  const watches = new Set<ServerResponse>();
  const nodeName = options.nodeName ?? "daskq-emulated-node";
  const allocatable = {
    cpu: parseQuantity(options.allocatable?.cpu ?? "4") ?? 4,
    memory: parseQuantity(options.allocatable?.memory ?? "8Gi") ?? 8 * 2 ** 30,
    pods: options.allocatable?.pods ?? 110,
  };
  const timings: KubeletTimings = { createMs: 100, pullBackoffMs: 1000, crashBackoffMs: 1000, maxBackoffMs: 10_000, configRetryMs: 1000, ...options.timings };
  let serviceIps = 0;
  let port = 0;
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const hostEnv = Object.fromEntries(["PATH", "HOME", "LANG"].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]));

  const podJson = (pod: EmulatedPod, typed = true): PodJson => {
    const json = structuredClone(pod.toJson());
    return typed ? { kind: "Pod", apiVersion: "v1", ...json } : json;
  };

  /** A pod's state apart from its resourceVersion. */
  const fingerprintOf = (pod: EmulatedPod) => {
    const { metadata, ...rest } = pod.toJson();
    return JSON.stringify({ ...rest, metadata: { ...metadata, resourceVersion: undefined } });
  };

  /** Records a pod's event at a new resourceVersion, with its last recorded state as `previous`. */
  const record = (type: WatchEventType, pod: EmulatedPod, fingerprint = fingerprintOf(pod)): PodJson => {
    const version = history.next();
    pod.metadata.resourceVersion = String(version);
    const json = podJson(pod);
    history.record(type, json, recorded.get(pod)?.json, version);
    recorded.set(pod, { fingerprint, json });
    return json;
  };

  /** Records a pod's new state as a MODIFIED event when it differs from the last one recorded. */
  const changed = (pod: EmulatedPod) => {
    if (!pods.has(key(pod.metadata.namespace, pod.name))) return;
    const fingerprint = fingerprintOf(pod);
    if (recorded.get(pod)?.fingerprint === fingerprint) return;
    record("MODIFIED", pod, fingerprint);
    const phase = pod.phase;
    if (phase === "Succeeded" || phase === "Failed") schedule();
  };

  /** The default scheduler on one node: binds pending pods in creation order while their requests fit. */
  const schedule = () => {
    const active = [...pods.values()].filter((p) => p.bound && p.phase !== "Succeeded" && p.phase !== "Failed");
    const used = { cpu: sum(active.map((p) => p.requests.cpu)), memory: sum(active.map((p) => p.requests.memory)), pods: active.length };
    for (const pod of pods.values()) {
      if (pod.bound || pod.deleting) continue;
      const short = [
        ...(used.cpu + pod.requests.cpu > allocatable.cpu + 1e-9 ? ["1 Insufficient cpu"] : []),
        ...(used.memory + pod.requests.memory > allocatable.memory ? ["1 Insufficient memory"] : []),
        ...(used.pods + 1 > allocatable.pods ? ["1 Too many pods"] : []),
      ];
      if (short.length > 0) {
        pod.markUnschedulable(`0/1 nodes are available: ${short.join(", ")}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`);
        continue;
      }
      used.cpu += pod.requests.cpu;
      used.memory += pod.requests.memory;
      used.pods += 1;
      pod.bind();
    }
  };

  const envSources = (namespace: string) => ({
    configMap: (name: string) => plain.get("configmaps")?.get(key(namespace, name)) as { data?: Record<string, string> } | undefined,
    secret: (name: string) => plain.get("secrets")?.get(key(namespace, name)) as { data?: Record<string, string> } | undefined,
  });

  const createPod = (namespace: string, body: Record<string, unknown>): PodJson => {
    const metadata = (body["metadata"] ?? {}) as Record<string, unknown>;
    validatePod(body, String(metadata["name"] ?? metadata["generateName"] ?? ""));
    const name = typeof metadata["name"] === "string" ? metadata["name"] : `${String(metadata["generateName"])}${randomName()}`;
    if (pods.has(key(namespace, name))) throw alreadyExists("pods", name);
    const meta: ObjectMetaJson = { ...metadata, name, namespace, uid: randomUUID(), resourceVersion: "", creationTimestamp: now() };
    const pod = new EmulatedPod(meta, podSpecWithDefaults(body["spec"] as Record<string, unknown>), join(workDir, "pods", `${namespace}_${name}_${meta.uid}`), {
      nodeName,
      timings,
      imageMissing: (image) => missingImages.has(image),
      resolveEnv: (p, container) => containerEnv(podJson(p), container, envSources(namespace), { ...hostEnv, KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(port) }),
      changed,
    });
    pods.set(key(namespace, name), pod);
    const created = record("ADDED", pod);
    // The scheduler binds the pod a moment later: the create answers a pod without a node.
    setTimeout(schedule, 10);
    return created;
  };

  /** Graceful deletion: deletionTimestamp, SIGTERM, SIGKILL after the grace period, then the pod is gone (DELETED). */
  const deletePod = (pod: EmulatedPod, graceSeconds: number | undefined): PodJson => {
    if (pod.deleting) return podJson(pod);
    const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds;
    const remove = () => {
      if (!pods.delete(key(pod.metadata.namespace, pod.name))) return;
      dying.delete(pod);
      record("DELETED", pod);
      schedule();
    };
    pod.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    pod.metadata.deletionGracePeriodSeconds = grace;
    if (!pod.bound) {
      const answer = podJson(pod);
      remove();
      return answer;
    }
    changed(pod);
    dying.add(pod);
    void pod.stop(grace).then(remove);
    return podJson(pod);
  };

  const selectPods = (namespace: string | undefined, query: URLSearchParams): EmulatedPod[] => {
    const matches = podMatcher(query);
    return [...pods.values()].filter((p) => (namespace === undefined || p.metadata.namespace === namespace) && matches(p.toJson())).sort(byName);
  };

  const listJson = (kind: string, items: unknown[], query: URLSearchParams) => {
    const limit = Number(query.get("limit") ?? 0);
    const start = Number(query.get("continue") ? Buffer.from(query.get("continue") as string, "base64").toString() : 0);
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    const more = limit > 0 && start + limit < items.length;
    return {
      kind,
      apiVersion: "v1",
      metadata: { resourceVersion: String(history.current), ...(more ? { continue: Buffer.from(String(start + limit)).toString("base64"), remainingItemCount: items.length - start - limit } : {}) },
      items: page,
    };
  };

  const graceOf = (query: URLSearchParams, body: unknown): number | undefined => {
    const fromBody = (body as { gracePeriodSeconds?: unknown } | undefined)?.gracePeriodSeconds;
    const value = query.get("gracePeriodSeconds") ?? (fromBody === undefined ? undefined : String(fromBody));
    if (value === undefined) return undefined;
    const seconds = Number(value);
    if (!Number.isInteger(seconds) || seconds < 0) throw badRequest(`invalid gracePeriodSeconds: ${value}`);
    return seconds;
  };

  const requireNamespace = (namespace: string) => {
    if (!namespaces.has(namespace)) throw notFound("namespaces", namespace);
  };

  const podLog = (pod: EmulatedPod, query: URLSearchParams): string => {
    const wanted = query.get("container");
    const names = pod.containers.map((c) => c.spec.name);
    if (wanted === null && names.length > 1) throw badRequest(`a container name must be specified for pod ${pod.name}, choose one of: [${names.join(" ")}]`);
    const container = pod.containers.find((c) => c.spec.name === (wanted ?? names[0]));
    if (!container) throw badRequest(`container ${wanted ?? ""} is not valid for pod ${pod.name}`);
    const previous = query.get("previous") === "true";
    if (previous && container.restartCount === 0) throw badRequest(`previous terminated container "${container.spec.name}" in pod "${pod.name}" not found`);
    const file = container.logFile(previous ? container.restartCount - 1 : container.restartCount);
    if (!existsSync(file)) {
      const state = container.toJson().state;
      const reason = "waiting" in state ? state.waiting.reason : "ContainerCreating";
      throw badRequest(`container "${container.spec.name}" in pod "${pod.name}" is waiting to start: ${reason}`);
    }
    const text = readFileSync(file, "utf8");
    const tail = query.get("tailLines");
    if (tail === null) return text;
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const n = Number(tail);
    return lines.length === 0 || n <= 0 ? "" : `${lines.slice(-n).join("\n")}\n`;
  };

  /** A watch: synthetic ADDED events (no resourceVersion, or 0) or the history since one, then live changes; newline-delimited WatchEvents. */
  const watch = (namespace: string | undefined, query: URLSearchParams, request: IncomingMessage, response: ServerResponse) => {
    const matches = podMatcher(query);
    const selected = (object: PodJson | undefined) => object !== undefined && (namespace === undefined || object.metadata.namespace === namespace) && matches(object);
    const write = (type: WatchEventType | "ERROR", object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
    const send = (event: StoredEvent) => {
      const now = selected(event.object);
      const before = selected(event.previous);
      if (event.type === "ADDED" && now) write("ADDED", event.object);
      else if (event.type === "DELETED" && now) write("DELETED", event.object);
      else if (event.type === "MODIFIED") {
        if (now && before) write("MODIFIED", event.object);
        else if (now) write("ADDED", event.object);
        else if (before && event.previous) write("DELETED", { ...event.previous, metadata: { ...event.previous.metadata, resourceVersion: String(event.resourceVersion) } });
      }
    };
    const from = query.get("resourceVersion");
    let replay: StoredEvent[] = [];
    let initial: PodJson[] = [];
    response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    // The API server sends the headers at once, so that a client's request resolves before the first event.
    response.flushHeaders();
    try {
      if (from === null || from === "" || from === "0") initial = selectPods(namespace, query).map((p) => podJson(p));
      else replay = history.since(Number(from));
    } catch (error) {
      // The watch cache answers a too-old version with ONE ERROR event carrying the 410 Status (cacher.go newErrWatcher).
      if (!(error instanceof ApiError)) throw error;
      write("ERROR", error.status);
      response.end();
      return;
    }
    for (const pod of initial) write("ADDED", pod);
    for (const event of replay) send(event);
    const unsubscribe = history.subscribe(send);
    watches.add(response);
    const timeout = query.get("timeoutSeconds");
    const timer = timeout === null ? undefined : setTimeout(() => response.end(), Number(timeout) * 1000);
    const stop = () => {
      unsubscribe();
      watches.delete(response);
      if (timer) clearTimeout(timer);
    };
    request.on("close", stop);
    response.on("close", stop);
  };

  const routePlain = (method: string, namespace: string, resource: PlainResource, name: string | undefined, query: URLSearchParams, body: unknown): [number, unknown, string] => {
    const store = plain.get(resource) as Map<string, Record<string, unknown>>;
    const { kind, list } = PLAIN_KINDS[resource];
    if (name === undefined && method === "GET") {
      const labels = parseLabelSelector(query.get("labelSelector"));
      const items = [...store.values()].filter((o) => (o["metadata"] as ObjectMetaJson).namespace === namespace && labels((o["metadata"] as ObjectMetaJson).labels ?? {}));
      return [200, listJson(list, items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest), query), "list"];
    }
    if (name === undefined && method === "POST") {
      requireNamespace(namespace);
      const raw = objectBody(body);
      const metadata = (raw["metadata"] ?? {}) as Record<string, unknown>;
      const objectName = String(metadata["name"] ?? "");
      const filled = plainObjectWithDefaults(resource, raw, objectName, () => `10.96.${Math.floor(++serviceIps / 250)}.${(serviceIps % 250) + 1}`);
      if (store.has(key(namespace, objectName))) throw alreadyExists(resource, objectName);
      const object = { ...filled, kind, apiVersion: "v1", metadata: { ...metadata, name: objectName, namespace, uid: randomUUID(), resourceVersion: String(history.next()), creationTimestamp: now() } };
      store.set(key(namespace, objectName), object);
      return [201, object, "create"];
    }
    if (name !== undefined) {
      const object = store.get(key(namespace, name));
      if (!object) throw notFound(resource, name);
      if (method === "GET") return [200, object, "get"];
      if (method === "DELETE") {
        store.delete(key(namespace, name));
        // Deleting a Service answers the object; a ConfigMap or Secret, a Success Status.
        if (resource === "services") return [200, object, "delete"];
        return [200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, kind: resource, uid: (object["metadata"] as ObjectMetaJson).uid } }, "delete"];
      }
    }
    throw methodNotAllowed(method, resource);
  };

  const routePods = (method: string, namespace: string | undefined, name: string | undefined, sub: string | undefined, query: URLSearchParams, body: unknown, request: IncomingMessage, response: ServerResponse, watchPath: boolean): [number, unknown, string] | "streamed" => {
    if (name === undefined) {
      if (method === "GET" && (watchPath || query.get("watch") === "true" || query.get("watch") === "1")) {
        watch(namespace, query, request, response);
        return "streamed";
      }
      if (method === "GET") return [200, listJson("PodList", selectPods(namespace, query).map((p) => podJson(p, false)), query), "list"];
      if (namespace === undefined) throw methodNotAllowed(method, "pods");
      if (method === "POST") {
        requireNamespace(namespace);
        const raw = objectBody(body);
        const ns = (raw["metadata"] as { namespace?: unknown } | undefined)?.namespace;
        if (ns !== undefined && ns !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
        return [201, createPod(namespace, raw), "create"];
      }
      if (method === "DELETE") {
        const grace = graceOf(query, body);
        const deleted = selectPods(namespace, query).map((p) => deletePod(p, grace)).map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
        return [200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: String(history.current) }, items: deleted }, "deletecollection"];
      }
      throw methodNotAllowed(method, "pods");
    }
    if (namespace === undefined) throw notFound("pods", name);
    const pod = pods.get(key(namespace, name));
    if (!pod) throw notFound("pods", name);
    if (sub === "log" && method === "GET") return [200, podLog(pod, query), "get"];
    if (method === "GET") return [200, podJson(pod), "get"];
    if (method === "DELETE" && sub === undefined) {
      const preconditions = (body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined)?.preconditions;
      if (preconditions?.uid !== undefined && preconditions.uid !== pod.metadata.uid) {
        throw conflict("pods", name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${pod.metadata.uid}`);
      }
      if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== pod.metadata.resourceVersion) {
        throw conflict("pods", name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in meta: ${pod.metadata.resourceVersion}`);
      }
      return [200, deletePod(pod, graceOf(query, body)), "delete"];
    }
    throw methodNotAllowed(method, `pods/${sub ?? ""}`);
  };

  const route = (method: string, path: string, query: URLSearchParams, body: unknown, request: IncomingMessage, response: ServerResponse): [number, unknown, string] | "streamed" => {
    const podPath = POD_PATH.exec(path);
    if (podPath) return routePods(method, podPath[1] && decodeURIComponent(podPath[1]), podPath[2] && decodeURIComponent(podPath[2]), podPath[3], query, body, request, response, path.includes("/watch/"));
    const plainPath = PLAIN_PATH.exec(path);
    if (plainPath) return routePlain(method, decodeURIComponent(plainPath[1] as string), plainPath[2] as PlainResource, plainPath[3] && decodeURIComponent(plainPath[3]), query, body);
    const namespacePath = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    if (namespacePath && method === "GET") {
      const name = decodeURIComponent(namespacePath[1] as string);
      const ns = namespaces.get(name);
      if (!ns) throw notFound("namespaces", name);
      return [200, { kind: "Namespace", apiVersion: "v1", metadata: { name, uid: ns.uid, resourceVersion: "1", creationTimestamp: ns.creationTimestamp, labels: { "kubernetes.io/metadata.name": name } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } }, "get"];
    }
    if (path === "/version") return [200, { major: "1", minor: "30", gitVersion: "v1.30.0-daskq-emulator", platform: `${process.platform}/${process.arch}` }, "-"];
    if (path === "/healthz" || path === "/readyz" || path === "/livez") return [200, "ok", "-"];
    if (path === "/api") return [200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${port}` }] }, "-"];
    if (path === "/api/v1") {
      const resource = (name: string, kind: string, verbs: string[]) => ({ name, singularName: "", namespaced: true, kind, verbs });
      return [200, { kind: "APIResourceList", groupVersion: "v1", resources: [
        resource("pods", "Pod", ["create", "delete", "deletecollection", "get", "list", "watch"]),
        resource("pods/log", "Pod", ["get"]),
        resource("services", "Service", ["create", "delete", "get", "list"]),
        resource("configmaps", "ConfigMap", ["create", "delete", "get", "list"]),
        resource("secrets", "Secret", ["create", "delete", "get", "list"]),
      ] }, "-"];
    }
    throw new ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 });
  };

  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://emulator");
    const method = request.method ?? "GET";
    const { verb, resource, namespace } = describe(method, url);
    let status = 500;
    let payload: unknown;
    let answeredVerb = verb;
    try {
      const text = await readRequestBody(request);
      const header = request.headers.authorization;
      if (!OPEN_PATHS.has(url.pathname)) {
        if (header === undefined) throw forbidden(verb, resource, namespace);
        if (header !== `Bearer ${token}`) throw unauthorized();
      }
      let body: unknown;
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
        }
      }
      const answer = route(method, url.pathname, url.searchParams, body, request, response);
      if (answer === "streamed") {
        requests.push({ method, path: url.pathname, query: url.searchParams, verb: "watch", resource, status: 200 });
        return;
      }
      [status, payload, answeredVerb] = answer;
    } catch (error) {
      if (error instanceof ApiError) [status, payload] = [error.code, error.status];
      else [status, payload] = [500, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: (error as Error).message, reason: "InternalError", code: 500 }];
    }
    requests.push({ method, path: url.pathname, query: url.searchParams, verb: answeredVerb, resource, status });
    if (typeof payload === "string") response.writeHead(status, { "Content-Type": "text/plain" }).end(payload);
    else response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(payload));
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, (q, s) => void handler(q, s))
    : createHttpServer((q, s) => void handler(q, s));
  server.on("upgrade", (request: IncomingMessage, socket: Duplex) => {
    const url = new URL(request.url ?? "/", "http://emulator");
    const answer = (error: ApiError) => {
      requests.push({ method: "GET", path: url.pathname, query: url.searchParams, verb: "create", resource: "pods/portforward", status: error.code });
      socket.end(`HTTP/1.1 ${error.code} ${STATUS_CODES[error.code] ?? ""}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(error.status)}`);
    };
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    if (!match) return answer(notFound("pods", url.pathname));
    const [namespace, name] = [decodeURIComponent(match[1] as string), decodeURIComponent(match[2] as string)];
    const header = request.headers.authorization;
    if (header === undefined) return answer(forbidden("create", "pods/portforward", namespace));
    if (header !== `Bearer ${token}`) return answer(unauthorized());
    const pod = pods.get(key(namespace, name));
    if (!pod) return answer(notFound("pods", name));
    const target = Number(url.searchParams.get("ports"));
    if (!Number.isInteger(target) || target < 1 || target > 65535) return answer(badRequest(`invalid port: ${url.searchParams.get("ports") ?? ""}`));
    if (pod.phase !== "Running") return answer(badRequest(`pod ${name} is not running (phase ${pod.phase})`));
    requests.push({ method: "GET", path: url.pathname, query: url.searchParams, verb: "create", resource: "pods/portforward", status: 101 });
    servePortForward(request, socket, target);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const kubeconfig = (overrides: { token?: string } = {}) =>
    renderKubeconfig({ server: url, token: overrides.token ?? token, namespace: "default", name: "daskq-emulator", ...(options.tls ? { caPem: options.tls.cert } : {}) });
  const kubeconfigPath = join(workDir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig(), { mode: 0o600 });

  const allPods = () => [...pods.values(), ...dying];
  return {
    url,
    token,
    kubeconfigPath,
    requests,
    kubeconfig,
    pod: (namespace, name) => {
      const pod = pods.get(key(namespace, name));
      return pod && podJson(pod);
    },
    livePids: () => allPods().flatMap((p) => p.pids),
    compactHistory: () => history.compact(),
    setImageMissing: (image, missing) => void (missing ? missingImages.add(image) : missingImages.delete(image)),
    async close() {
      for (const response of watches) response.end();
      await Promise.all(allPods().map((p) => p.stop(0)));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A pod matcher for the request's labelSelector and fieldSelector (a bad one throws the 400). */
function podMatcher(query: URLSearchParams): (pod: PodJson) => boolean {
  const labels: Selector = parseLabelSelector(query.get("labelSelector"));
  const fields: Selector = parseFieldSelector(query.get("fieldSelector"), POD_FIELDS);
  return (pod) => labels(pod.metadata.labels ?? {}) && fields(podFields(pod));
}

/** The Kubernetes verb, resource and namespace of a request, for the 403 message and the request log. */
function describe(method: string, url: URL): { verb: string; resource: string; namespace: string | undefined } {
  const match = /^\/api\/v1\/(?:watch\/)?(?:namespaces\/([^/]+)\/?)?([^/]+)?(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(url.pathname);
  if (!match || url.pathname === "/api/v1") return { verb: "get", resource: "-", namespace: undefined };
  const [, namespace, resource = "namespaces", name, sub] = match;
  const named = name !== undefined;
  const watching = url.pathname.includes("/watch/") || url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
  const verb = method === "POST" ? "create" : method === "DELETE" ? (named ? "delete" : "deletecollection") : named ? "get" : watching ? "watch" : "list";
  return { verb, resource: sub ? `${resource}/${sub}` : resource, namespace: namespace && decodeURIComponent(namespace) };
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
  return body as Record<string, unknown>;
}

function byName(a: EmulatedPod, b: EmulatedPod): number {
  return a.metadata.namespace === b.metadata.namespace ? a.name.localeCompare(b.name) : a.metadata.namespace.localeCompare(b.metadata.namespace);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

/** The 5 characters the API server appends to a generateName (apiserver/pkg/storage/names, utilrand.String). */
function randomName(): string {
  return Array.from({ length: 5 }, () => NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)]).join("");
}
