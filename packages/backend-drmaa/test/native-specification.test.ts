import { renderSgeHeader } from "@daskq/backend-sge";
import { testJobSpec } from "@daskq/testing";
import { describe, expect, it } from "vitest";
import { DEFAULT_DRMAA_OPTIONS, readDrmaaOptions } from "../src/drmaa-options.js";
import { renderNativeSpecification } from "../src/native-specification.js";

describe("DRMAA native specification", () => {
  it("maps cores, memory per slot, walltime, queue and account to Grid Engine options, then the user's verbatim", () => {
    // The same request as the sge backend's golden header: 16GB over 8 slots is 1908M per slot.
    const options = readDrmaaOptions({ "native-specification": "-l arch=lx-amd64 -notify" });
    expect(renderNativeSpecification(testJobSpec(), options)).toBe("-b n -q q -P p -pe smp 8 -l h_vmem=1908M -l h_rt=01:00:00 -l arch=lx-amd64 -notify");
    expect(renderNativeSpecification(testJobSpec({ queue: undefined, account: undefined, walltime: undefined, cores: 1, memory: 2 ** 31 }), DEFAULT_DRMAA_OPTIONS)).toBe(
      "-b n -pe smp 1 -l h_vmem=2G",
    );
  });

  it("caps a bulk job with -tc, drops -pe or the memory request when unset, and passes only the verbatim text with native-options none", () => {
    expect(renderNativeSpecification(testJobSpec(), DEFAULT_DRMAA_OPTIONS, 3)).toMatch(/ -tc 3$/);
    const noPe = readDrmaaOptions({ "parallel-environment": null, "memory-resource": "" });
    expect(renderNativeSpecification(testJobSpec(), noPe)).toBe("-b n -q q -P p -l h_rt=01:00:00");
    // The sge backend's project and resource-spec keys work the same way.
    const sge = readDrmaaOptions({ project: "proj", "resource-spec": "h_vmem=4G,mem_free=4G" });
    expect(renderNativeSpecification(testJobSpec(), sge)).toBe("-b n -q q -P proj -pe smp 8 -l h_vmem=4G,mem_free=4G -l h_rt=01:00:00");
    const header = renderSgeHeader(testJobSpec({ backendOptions: { project: "proj", "parallel-environment": "smp", "resource-spec": "h_vmem=4G,mem_free=4G" } }), { jobName: "w" });
    expect(header.slice(1, 6).map((line) => line.replace(/^#\$ /, "")).join(" ")).toBe("-q q -P proj -pe smp 8 -l h_vmem=4G,mem_free=4G -l h_rt=01:00:00");
    const none = readDrmaaOptions({ "native-options": "none", "native-specification": "-q x" });
    expect(renderNativeSpecification(testJobSpec(), none, 3)).toBe("-q x");
  });

  it("refuses config values that would smuggle options into the specification, naming the key", () => {
    expect(() => renderNativeSpecification(testJobSpec({ queue: "all.q -b n" }), DEFAULT_DRMAA_OPTIONS)).toThrow(
      /\[daskq:config\] queue: "all\.q -b n" cannot be one word of a DRMAA native specification/,
    );
    expect(() => renderNativeSpecification(testJobSpec({ account: "-V" }), DEFAULT_DRMAA_OPTIONS)).toThrow(/account: "-V"/);
    expect(() => renderNativeSpecification(testJobSpec(), readDrmaaOptions({ "memory-resource": "h_vmem=1G" }))).toThrow(/memory-resource/);
    expect(() => readDrmaaOptions({ "native-options": "pbs" })).toThrow(/native-options: expected sge or none, got "pbs"/);
    expect(() => readDrmaaOptions({ "task-index-variable": "X; rm" })).toThrow(/task-index-variable: expected an environment variable name/);
  });
});
