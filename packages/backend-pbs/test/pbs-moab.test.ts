import { silentLogger } from "@daskq/core";
import { describe, expect, it } from "vitest";
import { createPbsBackend } from "../src/pbs-descriptor.js";
import { mapMoabState, parseShowqXml } from "../src/pbs-moab.js";
import { FakeRunner, makeSpec, scriptRequest } from "./helpers.js";

/**
 * The shape of `showq --xml` (Moab): `<Data>` with one `<queue option=...>` per queue class
 * (active, eligible, blocked) holding `<job JobID=... State=.../>` elements. Attribute set trimmed
 * to the ones read here plus a few neighbours; ids as Moab with a Torque resource manager prints them.
 */
const SHOWQ = `<?xml version="1.0" encoding="UTF-8"?>
<Data>
   <Object>queue</Object>
   <cluster LocalActiveNodes="479" LocalIdleNodes="229" time="1562925910" />
   <queue count="2" option="active">
      <job Account="p" Class="batch" DRMJID="881196.admin2" JobID="881196" JobName="dask-worker" ReqProcs="8" State="Running" User="u" />
      <job JobID="881197" JobName="dask-worker" State="Starting" User="u" />
   </queue>
   <queue count="1" option="eligible">
      <job JobID="881198" JobName="dask-worker" State="Idle" User="u" />
   </queue>
   <queue count="2" option="blocked">
      <job JobID="881200" JobName="dask&amp;worker" State="BatchHold" User="u" />
      <job JobID="881201" JobName="dask-worker" State="UserHold" User="u" />
   </queue>
</Data>
`;

function setup() {
  const runner = new FakeRunner();
  return { runner, backend: createPbsBackend({ runner, logger: silentLogger, options: { flavour: "moab" }, clusterId: "daskq-test" }, {}) };
}

describe("Moab", () => {
  it("reads showq --xml", () => {
    const jobs = parseShowqXml(SHOWQ);
    expect(jobs.map((j) => `${j.id}:${j.state}:${j.queue}`)).toEqual([
      "881196:Running:active",
      "881197:Starting:active",
      "881198:Idle:eligible",
      "881200:BatchHold:blocked",
      "881201:UserHold:blocked",
    ]);
  });

  it("maps Moab's job states", () => {
    const state = (s: string | undefined, queue?: string, code?: number) => mapMoabState({ id: "1", state: s, queue, completionCode: code });
    expect(state("Running")).toBe("running");
    expect(state("Idle")).toBe("queued");
    expect(state("Deferred")).toBe("queued");
    expect(state("Completed", undefined, 0)).toBe("finished");
    expect(state("Completed", undefined, 3)).toBe("failed");
    expect(state("Removed")).toBe("cancelled");
    expect(state(undefined, "active")).toBe("running");
    expect(state(undefined, "completed")).toBe("finished");
    expect(state("Whatever")).toBeUndefined();
  });

  it("polls with ONE showq --xml and matches ids like Moab.881196 too", async () => {
    const { runner, backend } = setup();
    runner.reply("showq", { stdout: SHOWQ });
    const report = await backend.status(["881196", "Moab.881198", "881200", "881999"]);
    expect(runner.calls).toEqual([{ command: "showq", args: ["--xml"] }]);
    expect(Object.fromEntries(report)).toEqual({
      "881196": { state: "running", native: "Running" },
      "Moab.881198": { state: "queued", native: "Idle" },
      "881200": { state: "queued", native: "BatchHold", reason: "BatchHold" },
    });
  });

  it("finds the jobs of a name with ONE showq --xml (JobName; entities decoded)", async () => {
    const { runner, backend } = setup();
    runner.reply("showq", { stdout: SHOWQ }, { stdout: SHOWQ });
    expect(await backend.jobsNamed("dask-worker")).toEqual([{ id: "881196" }, { id: "881197" }, { id: "881198" }, { id: "881201" }]);
    expect(await backend.jobsNamed("dask&worker")).toEqual([{ id: "881200" }]);
    expect(runner.calls).toEqual([
      { command: "showq", args: ["--xml"] },
      { command: "showq", args: ["--xml"] },
    ]);
  });

  it("submits with msub, cancels with canceljob, and writes the #PBS header with node syntax", async () => {
    const { runner, backend } = setup();
    runner.reply("msub", { stdout: "\n881300\n" });
    expect(await backend.submit(scriptRequest({ script: "#!/bin/bash\n", count: 1 }))).toEqual(["881300"]);
    await backend.cancel(["881300"]);
    expect(runner.calls.map((c) => c.command)).toEqual(["mkdir", "msub", "canceljob"]);
    expect(backend.header(makeSpec(), { jobName: "dask-worker" })).toEqual([
      "#PBS -N dask-worker",
      "#PBS -q q",
      "#PBS -A p",
      "#PBS -l nodes=1:ppn=8,mem=15GB",
      "#PBS -l walltime=01:00:00",
    ]);
  });
});
