import type { ContainerJson, EnvVarJson } from "./pod-manifest.js";
import { expandReferences } from "./emulated-container.js";
import type { PodJson } from "./emulated-pod.js";

/** The configMaps and secrets of a namespace, as the emulator stores them. */
export interface EnvSources {
  configMap(name: string): { readonly data?: Readonly<Record<string, string>> } | undefined;
  secret(name: string): { readonly data?: Readonly<Record<string, string>> } | undefined;
}

class ConfigError extends Error {}

/**
 * A container's environment as the kubelet builds it (kubernetes/kubernetes pkg/kubelet
 * kubelet_pods.go makeEnvironmentVariables): `base` (the host's PATH, HOME, LANG and
 * KUBERNETES_SERVICE_HOST/PORT), then `envFrom` (configMapRef, secretRef, with prefix), then
 * `env` in order, a `value` expanding `$(VAR)` of the variables before it, `valueFrom` reading a
 * configMap key, a secret key (base64 `data`) or a pod field (downward API: metadata.name,
 * metadata.namespace, metadata.uid, metadata.labels['k'], metadata.annotations['k'],
 * spec.nodeName, spec.serviceAccountName, status.podIP, status.hostIP). A missing non-optional
 * source is the kubelet's error text (`configmap "x" not found`, `couldn't find key k in
 * ConfigMap ns/x`), which the pod shows as CreateContainerConfigError.
 */
export function containerEnv(pod: PodJson, container: ContainerJson, sources: EnvSources, base: Readonly<Record<string, string>>): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = { ...base, HOSTNAME: pod.metadata.name };
  const namespace = pod.metadata.namespace;
  try {
    for (const from of container.envFrom ?? []) {
      const prefix = from.prefix ?? "";
      if (from.configMapRef) {
        const map = sources.configMap(from.configMapRef.name);
        if (!map && !from.configMapRef.optional) throw new ConfigError(`configmap "${from.configMapRef.name}" not found`);
        for (const [k, v] of Object.entries(map?.data ?? {})) env[prefix + k] = v;
      }
      if (from.secretRef) {
        const secret = sources.secret(from.secretRef.name);
        if (!secret && !from.secretRef.optional) throw new ConfigError(`secret "${from.secretRef.name}" not found`);
        for (const [k, v] of Object.entries(secret?.data ?? {})) env[prefix + k] = Buffer.from(v, "base64").toString("utf8");
      }
    }
    for (const variable of container.env ?? []) {
      const value = valueOf(variable, pod, namespace, sources, env);
      if (value !== undefined) env[variable.name] = value;
    }
  } catch (error) {
    if (error instanceof ConfigError) return { error: error.message };
    throw error;
  }
  return { env };
}

function valueOf(variable: EnvVarJson, pod: PodJson, namespace: string, sources: EnvSources, env: Record<string, string>): string | undefined {
  const from = variable.valueFrom;
  if (!from) return expandReferences(variable.value ?? "", env);
  if (from.configMapKeyRef) {
    const { name, key, optional } = from.configMapKeyRef;
    const map = sources.configMap(name);
    if (!map) return missing(optional, `configmap "${name}" not found`);
    const value = map.data?.[key];
    return value ?? missing(optional, `couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
  }
  if (from.secretKeyRef) {
    const { name, key, optional } = from.secretKeyRef;
    const secret = sources.secret(name);
    if (!secret) return missing(optional, `secret "${name}" not found`);
    const value = secret.data?.[key];
    return value === undefined ? missing(optional, `couldn't find key ${key} in Secret ${namespace}/${name}`) : Buffer.from(value, "base64").toString("utf8");
  }
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath);
  return undefined;
}

function missing(optional: boolean | undefined, message: string): undefined {
  if (optional) return undefined;
  throw new ConfigError(message);
}

function fieldValue(pod: PodJson, path: string): string {
  const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (keyed) return (pod.metadata[keyed[1] as "labels" | "annotations"] ?? {})[keyed[2] as string] ?? "";
  const spec = pod.spec as unknown as Record<string, unknown>;
  const values: Record<string, string> = {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": pod.metadata.namespace,
    "metadata.uid": pod.metadata.uid,
    "spec.nodeName": String(spec["nodeName"] ?? ""),
    "spec.serviceAccountName": String(spec["serviceAccountName"] ?? "default"),
    "status.podIP": "127.0.0.1",
    "status.hostIP": "127.0.0.1",
    "status.podIPs": "127.0.0.1",
  };
  const value = values[path];
  if (value === undefined) throw new ConfigError(`unsupported fieldPath: ${path}`);
  return value;
}
