import { describe, expect, it } from "vitest";
import { mergeMappings } from "../../src/config/deep-merge.js";

describe("mergeMappings", () => {
  it("merges nested mappings and lets scalars, lists and null replace", () => {
    const base = { a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } };
    expect(mergeMappings(base, { a: { c: [3] }, d: null, e: "flat", g: { h: 2 } })).toEqual({
      a: { b: 1, c: [3] },
      d: null,
      e: "flat",
      g: { h: 2 },
    });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: "x", e: { f: 1 } });
  });

  it("replaces a null or scalar with a mapping, as dask does", () => {
    expect(mergeMappings({ a: null, b: 1 }, { a: { x: 1 }, b: { y: 2 } })).toEqual({ a: { x: 1 }, b: { y: 2 } });
  });

  it("matches _ and - spellings and keeps the existing one", () => {
    expect(mergeMappings({ dashboard_address: ":8787" }, { "dashboard-address": ":0" })).toEqual({ dashboard_address: ":0" });
    expect(mergeMappings({ "a-b": { c: 1 } }, { a_b: { d: 2 } })).toEqual({ "a-b": { c: 1, d: 2 } });
  });
});
