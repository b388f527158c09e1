import { createServer } from "node:net";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { PYTHON } from "@daskq/testing";
import { renderSchedulerCheck } from "../../src/job/scheduler-check.js";

async function runCheck(shell: string, address: string) {
  const dir = await mkdtemp(join(tmpdir(), "daskq-check-"));
  const script = join(dir, "job.sh");
  await writeFile(script, `${renderSchedulerCheck(PYTHON, address)}\necho worker-would-start\n`);
  return execa(shell, [script], { reject: false });
}

describe("the job script's scheduler check", () => {
  for (const shell of ["bash", "sh"]) {
    it(`${shell}: an unreachable scheduler ends the job at once (exit 3) with a clear line, before the worker`, async () => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      await new Promise((r) => server.close(r));
      const result = await runCheck(shell, `tcp://127.0.0.1:${port}`);
      expect(result.exitCode).toBe(3);
      expect(result.stdout).not.toContain("worker-would-start");
      expect(result.stderr).toContain(`daskq: the scheduler tcp://127.0.0.1:${port} is not reachable from`);
    });

    it(`${shell}: a reachable scheduler (tls:// or tcp://, IPv6 too) lets the worker start`, async () => {
      for (const host of ["127.0.0.1", "::1"]) {
        const server = createServer((socket) => socket.destroy());
        await new Promise<void>((r) => server.listen(0, host, r));
        const port = (server.address() as { port: number }).port;
        const shown = host.includes(":") ? `[${host}]` : host;
        const result = await runCheck(shell, `tls://${shown}:${port}`);
        server.close();
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain("worker-would-start");
      }
    });
  }
});
