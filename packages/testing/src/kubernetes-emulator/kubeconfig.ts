/**
 * A kubeconfig file (kubernetes/website content/en/docs/concepts/configuration/organize-cluster-access-kubeconfig.md;
 * the fields of `kubectl config view`): one cluster, one user with a bearer token, one context
 * (with its namespace) that is the current one. With TLS the server's certificate is the
 * cluster's `certificate-authority-data` (base64 PEM); a plain-HTTP server is marked
 * `insecure-skip-tls-verify: true`, without which @kubernetes/client-node refuses `http://`.
 */
export interface KubeconfigParts {
  readonly server: string;
  readonly token: string;
  readonly namespace: string;
  readonly name: string;
  readonly caPem?: string;
}

/** The kubeconfig as YAML text. */
export function renderKubeconfig(parts: KubeconfigParts): string {
  const ca = parts.caPem === undefined ? "    insecure-skip-tls-verify: true\n" : `    certificate-authority-data: ${Buffer.from(parts.caPem).toString("base64")}\n`;
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${parts.name}`,
    "  cluster:",
    `    server: ${parts.server}`,
    `${ca}contexts:`,
    `- name: ${parts.name}`,
    "  context:",
    `    cluster: ${parts.name}`,
    `    user: ${parts.name}`,
    `    namespace: ${parts.namespace}`,
    `current-context: ${parts.name}`,
    "users:",
    `- name: ${parts.name}`,
    "  user:",
    `    token: ${JSON.stringify(parts.token)}`,
    "preferences: {}",
    "",
  ].join("\n");
}
