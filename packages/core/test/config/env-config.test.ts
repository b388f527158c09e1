import { describe, expect, it } from "vitest";
import { envVariableName, interpretEnvValue, readEnvConfig } from "../../src/config/env-config.js";
import { parsePythonLiteral } from "../../src/config/python-literal.js";

describe("parsePythonLiteral", () => {
  it("reads numbers as ast.literal_eval does", () => {
    expect(parsePythonLiteral("4")).toEqual({ value: 4 });
    expect(parsePythonLiteral("-4")).toEqual({ value: -4 });
    expect(parsePythonLiteral("1e6")).toEqual({ value: 1e6 });
    expect(parsePythonLiteral("2.5")).toEqual({ value: 2.5 });
    expect(parsePythonLiteral(".5")).toEqual({ value: 0.5 });
    expect(parsePythonLiteral("1_000")).toEqual({ value: 1000 });
    expect(parsePythonLiteral("0x1F")).toEqual({ value: 31 });
    expect(parsePythonLiteral("0o17")).toEqual({ value: 15 });
    expect(parsePythonLiteral("0b101")).toEqual({ value: 5 });
    expect(parsePythonLiteral("0")).toEqual({ value: 0 });
  });

  it("reads True, False, None and strings with escapes", () => {
    expect(parsePythonLiteral("True")).toEqual({ value: true });
    expect(parsePythonLiteral("False")).toEqual({ value: false });
    expect(parsePythonLiteral("None")).toEqual({ value: null });
    expect(parsePythonLiteral("'a b'")).toEqual({ value: "a b" });
    expect(parsePythonLiteral('"it\'s"')).toEqual({ value: "it's" });
    expect(parsePythonLiteral("'tab\\there'")).toEqual({ value: "tab\there" });
    expect(parsePythonLiteral("'\\x41\\u00e9'")).toEqual({ value: "Aé" });
    expect(parsePythonLiteral("r'\\d+'")).toEqual({ value: "\\d+" });
    expect(parsePythonLiteral("'a' \"b\"")).toEqual({ value: "ab" });
    expect(parsePythonLiteral("'''x'y'''")).toEqual({ value: "x'y" });
  });

  it("reads lists, tuples, sets and dicts", () => {
    expect(parsePythonLiteral("['a', 'b']")).toEqual({ value: ["a", "b"] });
    expect(parsePythonLiteral("['--exclusive',]")).toEqual({ value: ["--exclusive"] });
    expect(parsePythonLiteral("[]")).toEqual({ value: [] });
    expect(parsePythonLiteral("('a', 1)")).toEqual({ value: ["a", 1] });
    expect(parsePythonLiteral("('a',)")).toEqual({ value: ["a"] });
    expect(parsePythonLiteral("('a')")).toEqual({ value: "a" });
    expect(parsePythonLiteral("()")).toEqual({ value: [] });
    expect(parsePythonLiteral("{'a', 'b'}")).toEqual({ value: ["a", "b"] });
    expect(parsePythonLiteral("{}")).toEqual({ value: {} });
    expect(parsePythonLiteral("{'dashboard_address': ':8787', 'port': 0}")).toEqual({
      value: { dashboard_address: ":8787", port: 0 },
    });
    expect(parsePythonLiteral("{'a': [1, {'b': None}],\n 'c': True}")).toEqual({ value: { a: [1, { b: null }], c: true } });
  });

  it("refuses what ast.literal_eval refuses", () => {
    for (const text of ["16GB", "00:30:00", "1-00:00:00", "90m", "01", "true", "none", "[--exclusive]", "#!/bin/bash", "", "a", "1j", "f'x'", "'open", "[1, 2", "1 2", "--1", "-True", "{[1]: 2}", "'\\xZZ'"]) {
      expect(parsePythonLiteral(text), text).toBeUndefined();
    }
  });
});

describe("interpretEnvValue", () => {
  it("interprets like dask's interpret_value", () => {
    expect(interpretEnvValue("8")).toBe(8);
    expect(interpretEnvValue("True")).toBe(true);
    expect(interpretEnvValue("true")).toBe(true);
    expect(interpretEnvValue("FALSE")).toBe(false);
    expect(interpretEnvValue("None")).toBeNull();
    expect(interpretEnvValue("null")).toBeNull();
    expect(interpretEnvValue("['--exclusive', '--gres=gpu:1']")).toEqual(["--exclusive", "--gres=gpu:1"]);
    expect(interpretEnvValue("16GB")).toBe("16GB");
    expect(interpretEnvValue("00:30:00")).toBe("00:30:00");
    expect(interpretEnvValue("#!/bin/bash")).toBe("#!/bin/bash");
    expect(interpretEnvValue("[--exclusive]")).toBe("[--exclusive]");
  });
});

describe("readEnvConfig", () => {
  it("splits DASK_JOBQUEUE__ variables into section, key and nested path, case- and _/- insensitively", () => {
    const entries = readEnvConfig({
      DASK_JOBQUEUE__SLURM__CORES: "8",
      DASK_jobqueue__Slurm__Death_Timeout: "30",
      DASK_JOBQUEUE__MY_CLUSTER__MEMORY: "16GB",
      DASK_JOBQUEUE__SLURM__SCHEDULER_OPTIONS__DASHBOARD_ADDRESS: "':8787'",
      DASK_JOBQUEUE__PBS: "{}",
      DASK_DISTRIBUTED__WORKER__MEMORY__TARGET: "0.6",
      dask_jobqueue__slurm__queue: "ignored: DASK_ is case-sensitive",
      PATH: "/usr/bin",
    });
    expect(entries).toEqual([
      { variable: "DASK_JOBQUEUE__MY_CLUSTER__MEMORY", section: "my-cluster", key: "memory", subPath: [], value: "16GB" },
      { variable: "DASK_JOBQUEUE__PBS", section: "pbs", key: undefined, subPath: [], value: {} },
      { variable: "DASK_JOBQUEUE__SLURM__CORES", section: "slurm", key: "cores", subPath: [], value: 8 },
      {
        variable: "DASK_JOBQUEUE__SLURM__SCHEDULER_OPTIONS__DASHBOARD_ADDRESS",
        section: "slurm",
        key: "scheduler-options",
        subPath: ["dashboard_address"],
        value: ":8787",
      },
      { variable: "DASK_jobqueue__Slurm__Death_Timeout", section: "slurm", key: "death-timeout", subPath: [], value: 30 },
    ]);
  });

  it("names the variable for a key", () => {
    expect(envVariableName("slurm", "death-timeout")).toBe("DASK_JOBQUEUE__SLURM__DEATH_TIMEOUT");
    expect(envVariableName("my-cluster", "cores")).toBe("DASK_JOBQUEUE__MY_CLUSTER__CORES");
  });
});
