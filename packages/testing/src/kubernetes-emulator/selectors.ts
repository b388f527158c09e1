import { badRequest } from "./api-status.js";

/**
 * Label and field selectors of the Kubernetes API server EMULATOR, in the query syntax of
 * kubernetes/website content/en/docs/concepts/overview/working-with-objects/labels.md
 * ("Equality-based requirement": `=`, `==`, `!=`; "Set-based requirement": `in (...)`,
 * `notin (...)`, `key` (exists), `!key`; requirements joined by commas are ANDed; `!=` and `notin`
 * also match objects without the key) and field-selectors.md (`=`, `==`, `!=` on supported fields).
 */
export type Selector = (values: Readonly<Record<string, string>>) => boolean;

const KEY = String.raw`(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const EXISTS = new RegExp(`^(!?)\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const SET_VALUE = new RegExp(`^${VALUE}$`);

/** Splits at commas outside parentheses. */
function requirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** Parses a `labelSelector` query value; an empty or missing one selects everything. A bad one is a 400. */
export function parseLabelSelector(text: string | null): Selector {
  if (text === null || text.trim() === "") return () => true;
  const tests = requirements(text).map((requirement): Selector => {
    const exists = EXISTS.exec(requirement);
    if (exists) {
      const key = exists[2] as string;
      return exists[1] === "!" ? (labels) => !(key in labels) : (labels) => key in labels;
    }
    const equality = EQUALITY.exec(requirement);
    if (equality) {
      const [, key, op, value] = equality as unknown as [string, string, string, string];
      return op === "!=" ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    const set = SET.exec(requirement);
    if (set) {
      const [, key, op, list] = set as unknown as [string, string, string, string];
      const values = list.split(",").map((v) => v.trim());
      const bad = values.find((v) => !SET_VALUE.test(v));
      if (bad !== undefined) throw badRequest(`unable to parse requirement: values[0][${key}]: Invalid value: "${bad}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`);
      const wanted = new Set(values);
      return op === "in" ? (labels) => key in labels && wanted.has(labels[key] as string) : (labels) => !(key in labels) || !wanted.has(labels[key] as string);
    }
    throw badRequest(`unable to parse requirement: found '${requirement}', expected: key, !key, key=value, key!=value, key in (v1,...) or key notin (v1,...)`);
  });
  return (labels) => tests.every((test) => test(labels));
}

/**
 * Parses a `fieldSelector` query value against the fields an object type supports (for pods
 * kubernetes/kubernetes pkg/registry/core/pod/strategy.go `ToSelectableFields`); an unknown field
 * is the API server's 400 `field label not supported: <field>`.
 */
export function parseFieldSelector(text: string | null, supported: ReadonlySet<string>): Selector {
  if (text === null || text.trim() === "") return () => true;
  const tests = requirements(text).map((requirement): Selector => {
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(requirement);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${requirement}'`);
    const [, field, op, value] = match as unknown as [string, string, string, string];
    if (!supported.has(field)) throw badRequest(`field label not supported: ${field}`);
    return op === "!=" ? (fields) => fields[field] !== value : (fields) => fields[field] === value;
  });
  return (fields) => tests.every((test) => test(fields));
}
