#!/usr/bin/env node
// `npm run test:e2e`: Playwright with its list output, then the closing `N passed, N failed, N skipped`
// line CI reads (Playwright's own summary is not recognised).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const jsonFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "steward-e2e-")), "results.json");
const started = Date.now();
const res = spawnSync(
  "npx",
  ["playwright", "test", "--config", path.join(here, "playwright.config.ts"), "--reporter=list,json", ...process.argv.slice(2)],
  {
    cwd: here,
    stdio: "inherit",
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: jsonFile },
  },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const { stats } = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
  passed = stats.expected + stats.flaky;
  failed = stats.unexpected;
  skipped = stats.skipped;
} catch {
  failed = 1; // no report: the run itself failed (e.g. the stack did not start)
}
if (res.status !== 0 && failed === 0) failed = 1;
console.log(`\ne2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
