import { invalid, invalidValue, required, type StatusCause } from "./api-status.js";

/** The resources the emulator stores without a lifecycle of their own. */
export const PLAIN_KINDS = {
  services: { kind: "Service", list: "ServiceList" },
  configmaps: { kind: "ConfigMap", list: "ConfigMapList" },
  secrets: { kind: "Secret", list: "SecretList" },
} as const;

export type PlainResource = keyof typeof PLAIN_KINDS;

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Validates a created Service, ConfigMap or Secret (pkg/apis/core/validation ValidateService:
 * a DNS-1035 name, at least one port, each 1-65535 with a unique name when there are several;
 * ConfigMap and Secret names are DNS subdomains) and fills the API server's defaults (Service:
 * type ClusterIP, a cluster IP from 10.96.0.0/12, ipFamilies IPv4, SingleStack, sessionAffinity
 * None, internalTrafficPolicy Cluster, protocol TCP and targetPort = port; Secret: type Opaque,
 * stringData merged into base64 data). Throws the 422 `Status`.
 */
export function plainObjectWithDefaults(resource: PlainResource, body: Record<string, unknown>, name: string, clusterIp: () => string): Record<string, unknown> {
  const causes: StatusCause[] = [];
  const kind = PLAIN_KINDS[resource].kind;
  const metaName = (body["metadata"] as Record<string, unknown> | undefined)?.["name"];
  if (typeof metaName !== "string") causes.push(required("metadata.name", "name or generateName is required"));
  else if (!(resource === "services" ? DNS_1035 : DNS_SUBDOMAIN).test(metaName)) {
    causes.push(invalidValue("metadata.name", metaName, resource === "services" ? "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character" : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"));
  }
  if (resource === "services") {
    const spec = (body["spec"] ?? {}) as Record<string, unknown>;
    const ports = spec["ports"] as Record<string, unknown>[] | undefined;
    if (!Array.isArray(ports) || ports.length === 0) causes.push(required("spec.ports"));
    for (const [i, port] of (Array.isArray(ports) ? ports : []).entries()) {
      const number = port?.["port"];
      if (typeof number !== "number" || !Number.isInteger(number) || number < 1 || number > 65535) causes.push(invalidValue(`spec.ports[${i}].port`, number ?? 0, "must be between 1 and 65535, inclusive"));
      if ((ports?.length ?? 0) > 1 && typeof port?.["name"] !== "string") causes.push(required(`spec.ports[${i}].name`));
    }
    if (causes.length > 0) throw invalid(kind, name, causes);
    const ip = typeof spec["clusterIP"] === "string" && spec["clusterIP"] !== "" ? spec["clusterIP"] : clusterIp();
    return {
      ...body,
      spec: {
        ...spec,
        type: spec["type"] ?? "ClusterIP",
        clusterIP: ip,
        clusterIPs: [ip],
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        sessionAffinity: spec["sessionAffinity"] ?? "None",
        internalTrafficPolicy: spec["internalTrafficPolicy"] ?? "Cluster",
        ports: (ports as Record<string, unknown>[]).map((p) => ({ ...p, protocol: p["protocol"] ?? "TCP", targetPort: p["targetPort"] ?? p["port"] })),
      },
      status: { loadBalancer: {} },
    };
  }
  if (causes.length > 0) throw invalid(kind, name, causes);
  if (resource === "secrets") {
    const { stringData, ...rest } = body as { stringData?: Record<string, string> };
    const data = { ...((body["data"] ?? {}) as Record<string, string>) };
    for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(v).toString("base64");
    return { ...rest, type: body["type"] ?? "Opaque", data };
  }
  return body;
}
