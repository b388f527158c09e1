/**
 * Resource quantities (`500m`, `2`, `128Mi`, `1G`, `1e3`) as the Kubernetes API reference defines
 * them (kubernetes/website content/en/docs/reference/kubernetes-api/common-definitions/quantity.md:
 * binary suffixes Ki Mi Gi Ti Pi Ei, decimal suffixes n u m "" k M G T P E, decimal exponents).
 */
const SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The value of a quantity (cores for cpu, bytes for memory), or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "string") return undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  return number * (SUFFIXES[match[3] ?? ""] as number);
}
