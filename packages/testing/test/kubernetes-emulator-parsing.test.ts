/**
 * The Kubernetes API server EMULATOR's parsers against the documentation's examples: label
 * selectors (kubernetes/website concepts/overview/working-with-objects/labels.md), quantities
 * (reference/kubernetes-api/common-definitions/quantity.md) and `$(VAR)` references
 * (tasks/inject-data-application/define-command-argument-container.md).
 */
import { describe, expect, it } from "vitest";
import { expandReferences } from "../src/kubernetes-emulator/emulated-container.js";
import { parseQuantity } from "../src/kubernetes-emulator/quantity.js";
import { parseFieldSelector, parseLabelSelector } from "../src/kubernetes-emulator/selectors.js";

describe("Kubernetes emulator parsers", () => {
  it("matches labels.md's selector examples, including objects without the key", () => {
    const production = { environment: "production", tier: "frontend" };
    const qa = { environment: "qa", tier: "backend", partition: "customerA" };
    const bare = {};
    const matches = (selector: string) => [production, qa, bare].map((labels) => parseLabelSelector(selector)(labels));
    expect(matches("environment = production")).toEqual([true, false, false]);
    expect(matches("tier != frontend")).toEqual([false, true, true]);
    expect(matches("environment=production,tier=frontend")).toEqual([true, false, false]);
    expect(matches("environment in (production, qa)")).toEqual([true, true, false]);
    expect(matches("tier notin (frontend, backend)")).toEqual([false, false, true]);
    expect(matches("partition")).toEqual([false, true, false]);
    expect(matches("!partition")).toEqual([true, false, true]);
    expect(matches("partition,environment notin (qa)")).toEqual([false, false, false]);
    expect(matches("")).toEqual([true, true, true]);
    expect(parseLabelSelector("daskq.io/cluster==c1")({ "daskq.io/cluster": "c1" })).toBe(true);
    for (const bad of ["environment in production", "a b", "x in (a,b", "=x"]) {
      expect(() => parseLabelSelector(bad), bad).toThrow(/unable to parse requirement/);
    }
  });

  it("matches field selectors on supported fields only", () => {
    const fields = new Set(["status.phase", "metadata.name"]);
    expect(parseFieldSelector("status.phase=Running,metadata.name!=a", fields)({ "status.phase": "Running", "metadata.name": "b" })).toBe(true);
    expect(parseFieldSelector("status.phase==Running", fields)({ "status.phase": "Pending" })).toBe(false);
    expect(() => parseFieldSelector("spec.image=x", fields)).toThrow("field label not supported: spec.image");
  });

  it("reads quantity.md's quantities", () => {
    expect(parseQuantity("500m")).toBeCloseTo(0.5);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1.5")).toBe(1.5);
    expect(parseQuantity("128Mi")).toBe(128 * 2 ** 20);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("12e6")).toBe(12e6);
    expect(parseQuantity(4)).toBe(4);
    for (const bad of ["1 Gi", "lots", "1GB", ""]) expect(parseQuantity(bad), bad).toBeUndefined();
  });

  it("expands $(VAR) in command and args; $$(VAR) and unknown references stay", () => {
    const env = { MESSAGE: "hello world", POD_NAME: "p-1" };
    expect(expandReferences("$(MESSAGE)", env)).toBe("hello world");
    expect(expandReferences("--name=$(POD_NAME)", env)).toBe("--name=p-1");
    expect(expandReferences("$$(POD_NAME)", env)).toBe("$(POD_NAME)");
    expect(expandReferences("$(UNKNOWN) $HOME", env)).toBe("$(UNKNOWN) $HOME");
  });
});
