import { invalid, invalidValue, duplicate, notSupported, required, type StatusCause } from "./api-status.js";
import { parseQuantity } from "./quantity.js";

/** An `EnvVar` of a container (workload-resources/pod-v1.md, "Environment variables"). */
export interface EnvVarJson {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly configMapKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    readonly fieldRef?: { readonly fieldPath: string; readonly apiVersion?: string };
  };
}

/** A `Container`, with the fields the emulator reads typed. */
export interface ContainerJson {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly workingDir?: string;
  readonly env?: readonly EnvVarJson[];
  readonly envFrom?: readonly { readonly prefix?: string; readonly configMapRef?: { readonly name: string; readonly optional?: boolean }; readonly secretRef?: { readonly name: string; readonly optional?: boolean } }[];
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** A `PodSpec`, with the fields the emulator reads typed. */
export interface PodSpecJson {
  readonly containers: readonly ContainerJson[];
  readonly restartPolicy: "Always" | "OnFailure" | "Never";
  readonly terminationGracePeriodSeconds: number;
  readonly nodeName?: string;
  readonly [field: string]: unknown;
}

/** `ObjectMeta`, with the fields the emulator fills or keeps. */
export interface ObjectMetaJson {
  name: string;
  readonly generateName?: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly unknown[];
  readonly [field: string]: unknown;
}

const RESTART_POLICIES = ["Always", "OnFailure", "Never"] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/**
 * The checks of kubernetes/kubernetes pkg/apis/core/validation (ValidatePodCreate, ValidateObjectMeta,
 * validateContainers, validateEnv, ValidateResourceRequirements) that a daskq pod can fail: a name
 * (or generateName), at least one container, each with a unique DNS-label name and an image, a
 * known restartPolicy, env var names, quantities, requests not above limits. `name` is the pod's
 * name, or its generateName when the server generates it. Throws the 422 `Status`.
 */
export function validatePod(body: Record<string, unknown>, name: string): void {
  const causes: StatusCause[] = [];
  const metadata = (body["metadata"] ?? {}) as Record<string, unknown>;
  const spec = body["spec"] as Record<string, unknown> | undefined;
  if (typeof metadata["name"] !== "string" && typeof metadata["generateName"] !== "string") causes.push(required("metadata.name", "name or generateName is required"));
  else if (typeof metadata["name"] === "string" && !DNS_SUBDOMAIN.test(metadata["name"])) causes.push(invalidValue("metadata.name", metadata["name"], SUBDOMAIN_MESSAGE));
  const containers = spec?.["containers"];
  if (!Array.isArray(containers) || containers.length === 0) causes.push(required("spec.containers"));
  const seen = new Set<string>();
  for (const [i, raw] of (Array.isArray(containers) ? containers : []).entries()) {
    const container = (raw ?? {}) as Record<string, unknown>;
    const at = `spec.containers[${i}]`;
    const containerName = container["name"];
    if (typeof containerName !== "string" || containerName === "") causes.push(required(`${at}.name`));
    else if (!DNS_LABEL.test(containerName)) causes.push(invalidValue(`${at}.name`, containerName, LABEL_MESSAGE));
    else if (seen.has(containerName)) causes.push(duplicate(`${at}.name`, containerName));
    else seen.add(containerName);
    if (typeof container["image"] !== "string" || container["image"].trim() === "") causes.push(required(`${at}.image`));
    for (const [j, env] of (Array.isArray(container["env"]) ? (container["env"] as Record<string, unknown>[]) : []).entries()) {
      if (typeof env?.["name"] !== "string" || env["name"] === "") causes.push(required(`${at}.env[${j}].name`));
      else if (!ENV_NAME.test(env["name"])) causes.push(invalidValue(`${at}.env[${j}].name`, env["name"], "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"));
    }
    const resources = (container["resources"] ?? {}) as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
    for (const kind of ["requests", "limits"] as const) {
      for (const [resource, value] of Object.entries(resources[kind] ?? {})) {
        if (parseQuantity(value) === undefined) causes.push(invalidValue(`${at}.resources.${kind}[${resource}]`, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      }
    }
    for (const [resource, value] of Object.entries(resources.requests ?? {})) {
      const limit = resources.limits?.[resource];
      if (limit !== undefined && (parseQuantity(value) ?? 0) > (parseQuantity(limit) ?? Infinity)) {
        causes.push(invalidValue(`${at}.resources.requests`, value, `must be less than or equal to ${resource} limit of ${String(limit)}`));
      }
    }
  }
  const policy = spec?.["restartPolicy"];
  if (policy !== undefined && !RESTART_POLICIES.includes(policy as never)) causes.push(notSupported("spec.restartPolicy", policy, RESTART_POLICIES));
  const grace = spec?.["terminationGracePeriodSeconds"];
  if (grace !== undefined && (typeof grace !== "number" || grace < 0)) causes.push(invalidValue("spec.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"));
  if (causes.length > 0) throw invalid("Pod", name, causes);
}

/**
 * The defaults the API server fills into a created pod (pkg/apis/core/v1/defaults.go): restartPolicy
 * Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst, schedulerName default-scheduler,
 * a container's imagePullPolicy (Always for `:latest` or no tag, else IfNotPresent),
 * terminationMessagePath and terminationMessagePolicy, and requests copied from limits.
 */
export function podSpecWithDefaults(spec: Record<string, unknown>): PodSpecJson {
  const containers = (spec["containers"] as ContainerJson[]).map((c) => {
    const tag = /:([^:/]+)$/.exec(c.image.split("@")[0] as string)?.[1];
    const limits = c.resources?.limits;
    const requests = { ...(limits ?? {}), ...(c.resources?.requests ?? {}) };
    return {
      ...c,
      imagePullPolicy: (c["imagePullPolicy"] as string | undefined) ?? (tag === undefined || tag === "latest" ? "Always" : "IfNotPresent"),
      terminationMessagePath: (c["terminationMessagePath"] as string | undefined) ?? "/dev/termination-log",
      terminationMessagePolicy: (c["terminationMessagePolicy"] as string | undefined) ?? "File",
      resources: { ...(limits ? { limits } : {}), ...(Object.keys(requests).length > 0 ? { requests } : {}) },
    };
  });
  return {
    ...spec,
    containers,
    restartPolicy: (spec["restartPolicy"] as PodSpecJson["restartPolicy"] | undefined) ?? "Always",
    terminationGracePeriodSeconds: (spec["terminationGracePeriodSeconds"] as number | undefined) ?? 30,
    dnsPolicy: spec["dnsPolicy"] ?? "ClusterFirst",
    schedulerName: spec["schedulerName"] ?? "default-scheduler",
    securityContext: spec["securityContext"] ?? {},
  };
}

/** The pod's requests summed over its containers, in cores and bytes. */
export function podRequests(spec: PodSpecJson): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const container of spec.containers) {
    cpu += parseQuantity(container.resources?.requests?.["cpu"]) ?? 0;
    memory += parseQuantity(container.resources?.requests?.["memory"]) ?? 0;
  }
  return { cpu, memory };
}

/** The QoS class of pod-qos (kubernetes/website concepts/workloads/pods/pod-qos.md): Guaranteed, Burstable or BestEffort. */
export function qosClass(spec: PodSpecJson): "Guaranteed" | "Burstable" | "BestEffort" {
  const all = spec.containers.map((c) => c.resources ?? {});
  if (all.every((r) => Object.keys(r.requests ?? {}).length === 0 && Object.keys(r.limits ?? {}).length === 0)) return "BestEffort";
  const guaranteed = all.every((r) => ["cpu", "memory"].every((k) => r.limits?.[k] !== undefined && parseQuantity(r.requests?.[k] ?? r.limits[k]) === parseQuantity(r.limits[k])));
  return guaranteed ? "Guaranteed" : "Burstable";
}
