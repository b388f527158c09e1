#!/usr/bin/env node
// Prints the test files by duration, slowest first, from vitest's json reports (the files named
// on the command line; missing ones are passed over), so that the next slow file is visible.
// scripts/test.sh calls it at the end of every run, failed or not.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

const rows = [];
for (const report of process.argv.slice(2)) {
  if (!existsSync(report)) continue;
  for (const file of JSON.parse(readFileSync(report, "utf8")).testResults ?? []) {
    const tests = file.assertionResults ?? [];
    rows.push({
      seconds: Math.max(0, (file.endTime - file.startTime) / 1000),
      passed: tests.filter((t) => t.status === "passed").length,
      failed: tests.filter((t) => t.status === "failed").length,
      path: relative(process.cwd(), file.name),
    });
  }
}
if (rows.length > 0) {
  rows.sort((a, b) => b.seconds - a.seconds);
  const total = rows.reduce((sum, r) => sum + r.seconds, 0);
  console.log("\ntest file durations, slowest first:");
  console.log(`${"seconds".padStart(8)}  ${"share".padStart(5)}  ${"passed".padStart(6)}  ${"failed".padStart(6)}  file`);
  for (const r of rows) {
    const share = `${((100 * r.seconds) / (total || 1)).toFixed(1)}%`;
    console.log(`${r.seconds.toFixed(1).padStart(8)}  ${share.padStart(5)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${r.path}`);
  }
  console.log(`${total.toFixed(1).padStart(8)}  total of ${rows.length} files`);
}
