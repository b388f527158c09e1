import "reflect-metadata";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { registerBackend, silentLogger, type BackendDescriptor, type ConfigKey } from "../../src/index.js";
import { backendFromRecord } from "../../src/ownership/backend-from-record.js";
import { recordedBackendOptions } from "../../src/ownership/recorded-options.js";
import { clusterRecord } from "./cluster-record-fixture.js";

const KEYS: ConfigKey[] = [
  { name: "url", kind: "string", description: "where" },
  { name: "token", kind: "string", secret: true, description: "a credential" },
  { name: "token-env", kind: "string", description: "the variable holding the credential" },
];

describe("backend options in a cluster's state file", () => {
  it("hold a reference in place of every secret key's value, never the value", () => {
    const recorded = recordedBackendOptions({ url: "https://site/rest", token: "s3cr3t-T0KEN", "token-env": "SITE_TOKEN" }, KEYS, "site");
    expect(recorded).toEqual({ url: "https://site/rest", token: { secret: "jobqueue.site.token" }, "token-env": "SITE_TOKEN" });
    expect(JSON.stringify(recorded)).not.toContain("s3cr3t-T0KEN");
  });

  it("are given to a backend rebuilt from the record without the references, with a warning naming the key", async () => {
    const seen: Array<Readonly<Record<string, unknown>> | undefined> = [];
    const descriptor: BackendDescriptor = {
      name: "secret-test",
      description: "records the options it is created with",
      configKeys: KEYS,
      create: (context) => {
        seen.push(context.options);
        return { name: "secret-test", capabilities: { arrays: false }, submit: async () => [], status: async () => new Map(), cancel: async () => undefined, logTail: async () => undefined };
      },
    };
    const child = container.createChildContainer();
    registerBackend(child, descriptor);
    const record = clusterRecord({
      clusterId: "daskq-0000beef",
      backend: "secret-test",
      backendOptions: recordedBackendOptions({ url: "https://site/rest", token: "s3cr3t-T0KEN" }, KEYS, "site"),
    });
    const warnings: string[] = [];
    const rebuilt = await backendFromRecord(record, { ...silentLogger, warn: (m) => warnings.push(m) }, child);
    await rebuilt.runner.close();
    expect(seen).toEqual([{ url: "https://site/rest" }]);
    expect(warnings).toEqual([expect.stringContaining("jobqueue.site.token: secret, not kept in the state file")]);
  });
});
