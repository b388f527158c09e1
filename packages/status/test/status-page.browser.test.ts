/**
 * The status page of a cluster on the REAL Slurm (packages/testing/testbed/slurm.sh), in a REAL
 * headless browser (Debian's chromium, packages/testing/testbed/chromium.sh) with every request
 * that leaves the page's own server refused: it shows queued and running jobs and the workers,
 * follows the cluster when it scales, and shows a failed job's output. A screenshot is kept in
 * $DASKQ_ARTIFACTS_DIR (default test-artifacts/, git-ignored).
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { JobQueueCluster, LocalRunner } from "@daskq/core";
import { slurmBackend } from "@daskq/backend-slurm";
import { PYTHON, requireService } from "@daskq/testing";
import { serveStatusPage } from "../src/serve-status-page.js";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../..", import.meta.url));
const artifacts = process.env["DASKQ_ARTIFACTS_DIR"] ?? join(root, "test-artifacts");

async function slurmIsUp(): Promise<boolean> {
  try {
    return /is UP/.test((await new LocalRunner().run("scontrol", ["ping"], { timeoutMs: 10_000 })).stdout);
  } catch {
    return false;
  }
}

const enabled =
  requireService("Slurm", await slurmIsUp(), "Start it with: bash packages/testing/testbed/slurm.sh") &&
  requireService("chromium", existsSync(CHROMIUM), "Install it with: bash packages/testing/testbed/chromium.sh");

/** A fresh headless chromium that may reach nothing but `origin`; what it tried elsewhere is collected. */
async function browserFor(origin: string): Promise<{ context: BrowserContext; page: Page; refused: string[]; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "daskq-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 1000 },
  });
  const refused: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    refused.push(url);
    return route.abort("internetdisconnected");
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    refused,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const rows = (page: Page, selector: string) => page.locator(selector).count();

describe.skipIf(!enabled)("the status page of a Slurm cluster, in chromium", () => {
  it("shows queued and running jobs, workers, a failed job's output, and follows scaling", async () => {
    const dir = await mkdtemp(join(tmpdir(), "daskq-status-page-"));
    // The first job to start fails before its worker joins (the marker is taken atomically by mv); the others run.
    await writeFile(join(dir, "fail-once"), "");
    const cluster = await JobQueueCluster.create({
      backend: slurmBackend,
      job: {
        cores: 1,
        memory: "500MB",
        queue: "debug",
        walltime: "00:10:00",
        python: PYTHON,
        "log-directory": join(dir, "logs"),
        "array-max-running": 1,
        "job-script-prologue": [`mv ${dir}/fail-once ${dir}/failed-once 2>/dev/null && { echo "simulated start failure of job $SLURM_JOB_ID"; exit 3; }`],
      },
      env: { PATH: process.env["PATH"] ?? "" },
      homeDir: dir,
      pollIntervalMs: 500,
      retryBackoffMs: 500,
      handleSignals: false,
    });
    const status = await serveStatusPage(cluster, { updateIntervalMs: 500, sampleIntervalMs: 500 });
    const browser = await browserFor(`http://127.0.0.1:${status.port}`);
    try {
      const { page } = browser;
      await cluster.scale({ jobs: 1 });
      await page.goto(status.url);

      // The failed first job with its output, its replacement running with its worker.
      await page.locator('[data-testid="log-tail"]').filter({ hasText: "simulated start failure of job" }).waitFor({ timeout: 90_000 });
      await page.locator('[data-testid="workers"] tr[data-worker]').first().waitFor({ timeout: 90_000 });
      expect(await rows(page, '[data-testid="jobs-failed"] tr[data-job-id]')).toBe(1);
      expect(await rows(page, '[data-testid="jobs-running"] tr[data-job-id]')).toBe(1);
      const failedId = await page.locator('[data-testid="jobs-failed"] tr[data-job-id]').getAttribute("data-job-id");
      expect(await page.locator('[data-testid="log-tail"]').textContent()).toContain(`simulated start failure of job ${failedId}`);
      const worker = page.locator('[data-testid="workers"] tr[data-worker]');
      const runningId = await page.locator('[data-testid="jobs-running"] tr[data-job-id]').getAttribute("data-job-id");
      expect(await worker.locator("td").nth(1).textContent()).toBe(runningId); // the worker's job
      await expect.poll(() => page.locator('[data-testid="tile-workers"] .n').textContent(), { timeout: 30_000 }).toBe("1/1");

      // Scale to 3: two more jobs as ONE array with at most one task running, so one stays queued.
      await cluster.scale({ jobs: 3 });
      await expect.poll(() => rows(page, '[data-testid="workers"] tr[data-worker]'), { timeout: 90_000 }).toBe(2);
      await expect.poll(() => rows(page, '[data-testid="jobs-queued"] tr[data-job-id]'), { timeout: 30_000 }).toBe(1);
      expect(await rows(page, '[data-testid="jobs-running"] tr[data-job-id]')).toBe(2);
      expect(await page.locator('[data-testid="jobs-queued"] td.state').textContent()).toMatch(/queued \(PENDING: JobArrayTaskLimit\)/);
      await expect.poll(() => page.locator('[data-testid="tile-workers"] .n').textContent(), { timeout: 30_000 }).toBe("2/3");
      expect(await page.locator("#scheduler").textContent()).toBe(cluster.schedulerAddress);
      expect(await page.locator("#tls").textContent()).toBe(cluster.tls ? "on" : "off");
      expect(await page.locator("#chart canvas").count()).toBeGreaterThan(0); // the chart library came from our server
      expect(await page.locator("#live").getAttribute("class")).toBe(""); // live updates arrive

      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "status-page-slurm.png"), fullPage: true });
      expect(browser.refused).toEqual([]); // the page needs no network beyond its own server
    } finally {
      await browser.close();
      await cluster.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
