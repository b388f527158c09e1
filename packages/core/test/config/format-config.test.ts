import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configToJson, formatConfig } from "../../src/config/format-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { sandbox, TEST_KEYS, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function resolved() {
  box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    cores: 8\n    queue: null\n    foo: 1\n    env: {A: 'x y'}\n");
  return loadConfig({
    section: "slurm",
    keys: TEST_KEYS,
    env: { ...box.env, DASK_JOBQUEUE__SLURM__MEMORY: "16GiB" },
    homeDir: box.home,
    options: {
      walltime: "1h30m",
      jobExtraDirectives: ["--exclusive", "--comment=a: b"],
      jobScriptPrologue: ["line one\nline two"],
      jobMem: "16GB",
      localDirectory: " padded ",
    },
  });
}

describe("formatConfig", () => {
  it("shows every key with its display value and source", () => {
    const file = `${box.userDask}/jobqueue.yaml`;
    const lines = formatConfig(resolved()).split("\n");
    expect(lines[0]).toBe("jobqueue.slurm");
    expect(lines[1]).toBe(`files: ${file}`);
    const row = (key: string): string | undefined => lines.find((line) => line.startsWith(`${key} `));
    expect(lines[3]).toMatch(/^KEY +VALUE +SOURCE$/);
    expect(row("name")).toMatch(/^name +dask-worker +default$/);
    expect(row("cores")).toMatch(new RegExp(`^cores +8 +file ${file}$`));
    expect(row("memory")).toMatch(/^memory +16\.00 GiB \(17179869184 bytes\) +env DASK_JOBQUEUE__SLURM__MEMORY$/);
    expect(row("job-mem")).toMatch(/^job-mem +16\.00 GB \(16000000000 bytes\) +option jobMem$/);
    expect(row("walltime")).toMatch(/^walltime +01:30:00 +option walltime$/);
    expect(row("job-extra-directives")).toMatch(/^job-extra-directives +\[--exclusive, "--comment=a: b"\] +option jobExtraDirectives$/);
    expect(row("job-script-prologue")).toMatch(/^job-script-prologue +\["line one\\nline two"\] +option jobScriptPrologue$/);
    expect(row("worker-extra-args")).toMatch(/^worker-extra-args +\[\] +default$/);
    expect(row("env")).toMatch(new RegExp(`^env +\\{A: x y\\} +file ${file}$`));
    expect(row("local-directory")).toMatch(/^local-directory +" padded " +option localDirectory$/);
    expect(row("nanny")).toMatch(/^nanny +true +default$/);
    expect(row("queue")).toMatch(new RegExp(`^queue +\\(unset\\) +file ${file}$`));
    expect(row("account")).toMatch(/^account +\(not set\)$/);
    expect(lines.slice(-4)).toEqual(["", "warnings:", `  ${file}: jobqueue.slurm.foo: unknown key, ignored`, ""]);
  });

  it("aligns the columns", () => {
    const table = formatConfig(resolved()).split("\n").slice(3, 3 + 1 + TEST_KEYS.length);
    const sourceColumn = table[0]?.indexOf("SOURCE");
    for (const line of table.filter((l) => !l.includes("(not set)"))) {
      expect(line.length).toBeGreaterThan(sourceColumn ?? 0);
      expect(line[(sourceColumn ?? 0) - 1]).toBe(" ");
    }
  });

  it("says when no file was read", () => {
    const config = loadConfig({ section: "slurm", keys: TEST_KEYS, env: box.env, homeDir: box.home });
    expect(formatConfig(config).split("\n")[1]).toBe("files: none");
    expect(formatConfig(config)).not.toContain("warnings:");
  });
});

describe("configToJson", () => {
  it("gives parsed values and sources of every key, as JSON data", () => {
    const json = JSON.parse(JSON.stringify(configToJson(resolved())));
    expect(json.section).toBe("slurm");
    expect(json.files).toEqual([`${box.userDask}/jobqueue.yaml`]);
    expect(json.keys.memory).toEqual({ value: 2 ** 34, source: { kind: "env", detail: "DASK_JOBQUEUE__SLURM__MEMORY" } });
    expect(json.keys.walltime).toEqual({ value: 5400, source: { kind: "option", detail: "walltime" } });
    expect(json.keys.queue).toEqual({ value: null, source: { kind: "file", detail: `${box.userDask}/jobqueue.yaml` } });
    expect(json.keys.account).toEqual({ value: null });
    expect(json.warnings).toHaveLength(1);
    expect(Object.keys(json.keys)).toEqual(TEST_KEYS.map((key) => key.name));
  });
});

describe("secret keys", () => {
  it("show that they are set, never their value, in the table and in JSON", () => {
    const keys = [...TEST_KEYS, { name: "token", kind: "string" as const, secret: true, description: "a credential" }];
    const config = loadConfig({ section: "slurm", keys, env: { ...box.env, DASK_JOBQUEUE__SLURM__TOKEN: "s3cr3t.jwt.value" }, homeDir: box.home });
    const text = formatConfig(config);
    expect(text).toMatch(/^token +\(set, hidden\) +env DASK_JOBQUEUE__SLURM__TOKEN$/m);
    expect(text).not.toContain("s3cr3t");
    const json = JSON.stringify(configToJson(config));
    expect(json).not.toContain("s3cr3t");
    expect(configToJson(config).keys["token"]?.value).toBe("(set, hidden)");
    const unset = loadConfig({ section: "slurm", keys, env: box.env, homeDir: box.home });
    expect(formatConfig(unset)).toMatch(/^token +\(not set\)$/m);
  });
});
