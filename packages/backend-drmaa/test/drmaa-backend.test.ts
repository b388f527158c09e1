/**
 * DrmaaBackend's job script on the REAL Grid Engine through DRMAA (testbed sge.sh + drmaa.sh),
 * with a stand-in python, so what the job does is visible in its output. Under CI=true a missing
 * SGE or libdrmaa fails this file.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRunner, createClusterCertificates, silentLogger, submitRequest } from "@daskq/core";
import { eventually, requireService, testJobSpec } from "@daskq/testing";
import { afterAll, describe, expect, it } from "vitest";
import { DrmaaBackend } from "../src/drmaa-backend.js";
import { DEFAULT_DRMAA_OPTIONS } from "../src/drmaa-options.js";
import { START_DRMAA, drmaaIsUp } from "./drmaa-available.js";

const enabled = requireService("Grid Engine DRMAA (libdrmaa)", await drmaaIsUp(), START_DRMAA);

const dir = mkdtempSync(join(tmpdir(), "daskq-drmaa-backend-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for python: `-c` (core's scheduler check) succeeds; `-m <module> <args>` prints its
 * arguments, then for each `--tls-*` file its mode and content.
 */
const python = join(dir, "python");
writeFileSync(
  python,
  [
    "#!/bin/sh",
    '[ "$1" = -c ] && exit 0',
    "printf '[%s]' \"$@\"; echo",
    'while [ $# -gt 0 ]; do case $1 in --tls-*) printf \'%s %s\\n\' "$1" "$(stat -c %a "$2")"; cat "$2"; shift ;; esac; shift; done',
  ].join("\n"),
);
chmodSync(python, 0o755);

describe.skipIf(!enabled)("DrmaaBackend on Grid Engine", () => {
  it("runs core's job script: a bulk task's worker named <base>-<task>, env and prologue, the cluster's TLS material as 0600 files with --tls-* arguments; no PEM in Grid Engine's job record", async () => {
    const clusterId = "daskq-0d3a4a10";
    const pem = await createClusterCertificates(clusterId);
    const backend = new DrmaaBackend(DEFAULT_DRMAA_OPTIONS, silentLogger, clusterId, dir);
    const outputDirectory = join(dir, "logs");
    const spec = testJobSpec({
      jobName: "daskq-drmaa-backend-test",
      python,
      cores: 1,
      processes: 1,
      memory: 2 ** 30,
      queue: "all.q",
      account: undefined,
      walltime: 600,
      env: { DASK_X: "x y $HOME" },
      prologue: ['echo "X=$DASK_X"'],
      workerExtraArgs: ["a b", "$(touch /tmp/daskq-pwned)"],
    });
    let ids: string[] = [];
    try {
      await backend.prepare();
      ids = await backend.submit(
        submitRequest(backend, spec, { schedulerAddress: "tls://127.0.0.1:1", outputDirectory, naming: { kind: "array", base: "w" }, count: 2, tls: pem }),
      );
      expect(ids).toHaveLength(2);
      // What any user of the cluster may read (`qstat -j`): the job's arguments and environment.
      const record = await new LocalRunner().run("qstat", ["-j", (ids[0] as string).split(".")[0] as string]);
      expect(record.stdout).toContain("daskq-drmaa-backend-test");
      expect(record.stdout).not.toContain("BEGIN");
      expect(await eventually(async () => [...(await backend.status(ids)).values()].filter((s) => s.state === "finished").length === 2, 60_000, 500)).toBe(true);
      for (const [i, id] of ids.entries()) {
        const out = (await backend.logTail(id, 100)) ?? "";
        const [x, argv, ...files] = out.split("\n");
        expect(x).toBe("X=x y $HOME");
        expect(argv).toMatch(new RegExp(`^\\[-m\\]\\[distributed\\.cli\\.dask_worker\\]\\[tls://127\\.0\\.0\\.1:1\\]\\[--name\\]\\[w-${i + 1}\\]`));
        expect(argv).toMatch(/\[--tls-ca-file\]\[[^\]]+\/ca\.pem\]\[--tls-cert\]\[[^\]]+\/cert\.pem\]\[--tls-key\]\[[^\]]+\/key\.pem\]\[--lifetime\]\[\d+s\]\[a b\]\[\$\(touch \/tmp\/daskq-pwned\)\]$/);
        expect(`${files.join("\n")}\n`).toBe(`--tls-ca-file 600\n${pem.ca.trimEnd()}\n--tls-cert 600\n${pem.cert.trimEnd()}\n--tls-key 600\n${pem.key.trimEnd()}\n`);
      }
    } finally {
      await backend.cancel(ids);
      await backend.close();
    }
    // The job scripts (with the key) are gone with the backend.
    expect(readdirSync(outputDirectory).filter((f) => f.startsWith(".daskq-drmaa-scripts-"))).toEqual([]);
  });
});
