import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSearchPaths, listConfigFiles, parseConfigText, readConfigFiles } from "../../src/config/config-files.js";
import { ConfigError } from "../../src/errors.js";
import { sandbox, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

describe("configSearchPaths", () => {
  it("uses /etc/dask, ~/.config/dask and DASK_CONFIG in that order", () => {
    expect(configSearchPaths({ env: {}, homeDir: "/home/u" })).toEqual(["/etc/dask", "/home/u/.config/dask"]);
    expect(configSearchPaths({ env: { DASK_ROOT_CONFIG: "/opt/dask", DASK_CONFIG: "/x/dask.yaml" }, homeDir: "/home/u" })).toEqual([
      "/opt/dask",
      "/home/u/.config/dask",
      "/x/dask.yaml",
    ]);
  });

  it("skips empty variables, as dask does", () => {
    expect(configSearchPaths({ env: { DASK_ROOT_CONFIG: "", DASK_CONFIG: "" }, homeDir: "/home/u" })).toEqual(["/home/u/.config/dask"]);
  });
});

describe("listConfigFiles", () => {
  it("lists *.yaml, *.yml and *.json of every directory sorted by name, lowest priority first", () => {
    box.write("etc/dask/b.yml", "");
    box.write("etc/dask/a.yaml", "");
    box.write("etc/dask/notes.txt", "");
    box.write("etc/dask/C.JSON", "{}");
    box.write("home/.config/dask/jobqueue.yaml", "");
    box.write("extra/z.yaml", "");
    mkdirSync(join(box.root, "etc/dask/dir.yaml"));
    const env = { ...box.env, DASK_CONFIG: join(box.root, "extra") };
    expect(listConfigFiles({ env, homeDir: box.home })).toEqual([
      join(box.etcDask, "C.JSON"),
      join(box.etcDask, "a.yaml"),
      join(box.etcDask, "b.yml"),
      join(box.userDask, "jobqueue.yaml"),
      join(box.root, "extra/z.yaml"),
    ]);
  });

  it("accepts DASK_CONFIG pointing at a single file, and missing directories", () => {
    const file = box.write("custom/cluster.yaml", "");
    expect(listConfigFiles({ env: { ...box.env, DASK_CONFIG: file }, homeDir: box.home })).toEqual([file]);
    expect(listConfigFiles({ env: { ...box.env, DASK_CONFIG: join(box.root, "nope") }, homeDir: box.home })).toEqual([]);
  });

  it("lists a file reached twice once, at its later position", () => {
    const user = box.write("home/.config/dask/jobqueue.yaml", "");
    const extra = box.write("etc/dask/site.yaml", "");
    expect(listConfigFiles({ env: { ...box.env, DASK_CONFIG: box.userDask }, homeDir: box.home })).toEqual([extra, user]);
  });
});

describe("readConfigFiles", () => {
  it("parses YAML and JSON, and empty files as null", () => {
    box.write("etc/dask/a.json", '{"jobqueue": {"slurm": {"cores": 4}}}');
    box.write("etc/dask/b.yaml", "jobqueue:\n  slurm:\n    memory: 16GB\n");
    box.write("etc/dask/c.yaml", "# only a comment\n");
    expect(readConfigFiles({ env: box.env, homeDir: box.home })).toEqual([
      { path: join(box.etcDask, "a.json"), data: { jobqueue: { slurm: { cores: 4 } } } },
      { path: join(box.etcDask, "b.yaml"), data: { jobqueue: { slurm: { memory: "16GB" } } } },
      { path: join(box.etcDask, "c.yaml"), data: null },
    ]);
  });

  it("names the file and the line of a YAML syntax error", () => {
    const file = box.write("home/.config/dask/jobqueue.yaml", "jobqueue:\n  slurm:\n    cores: 4\n    memory: [16GB\n");
    const error = (() => {
      try {
        readConfigFiles({ env: box.env, homeDir: box.home });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).source).toBe(file);
    expect((error as Error).message).toContain(`[daskq:config] ${file}: YAML syntax error:`);
    expect((error as Error).message).toMatch(/at line \d+, column \d+/);
  });
});

describe("parseConfigText", () => {
  it("reads YAML like PyYAML's safe_load: duplicate keys (last wins) and merge keys", () => {
    expect(parseConfigText("a: 1\na: 2\n", "x.yaml")).toEqual({ a: 2 });
    expect(parseConfigText("base: &b {cores: 4}\nslurm:\n  <<: *b\n  memory: 1GB\n", "x.yaml")).toEqual({
      base: { cores: 4 },
      slurm: { cores: 4, memory: "1GB" },
    });
  });

  it("keeps colon times as strings", () => {
    expect(parseConfigText("walltime: 01:30:00\n", "x.yaml")).toEqual({ walltime: "01:30:00" });
  });

  it("rejects a top level that is not a mapping", () => {
    expect(() => parseConfigText("- a\n- b\n", "/x/list.yaml")).toThrow(
      /\[daskq:config\] \/x\/list\.yaml: the top level of a config file must be a mapping/,
    );
    expect(() => parseConfigText("hello\n", "/x/scalar.yaml")).toThrow(/\/x\/scalar\.yaml: .*got the scalar "hello"/);
  });
});
