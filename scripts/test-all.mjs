#!/usr/bin/env node
// `npm test`: every suite — unit, integration (real PostgreSQL + Redis) and e2e (real Chromium) —
// then one closing line `N passed, N failed` with the real totals, which CI reads.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { canConnect, generate, root } from "./lib.mjs";

const only = process.argv.slice(2); // e.g. `npm test -- unit integration`
const wanted = (name) => only.length === 0 || only.includes(name);
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "steward-test-"));
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function runSuite(name, cmd, args, env, parse) {
  console.log(`\n━━━ ${name} ━━━`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  let counts = null;
  try {
    counts = parse();
  } catch (err) {
    problems.push(`${name}: no results (${err.message})`);
  }
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped;
    console.log(
      `${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  if (res.status !== 0 && (!counts || counts.failed === 0)) {
    // A crashed runner (or a failing hook) must fail the run even when no test was marked failed.
    problems.push(`${name}: runner exited with code ${res.status}`);
    totals.failed += 1;
  }
}

function vitest(project) {
  const file = path.join(outDir, `${project}.json`);
  runSuite(
    project,
    "npx",
    ["vitest", "run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
    {},
    () => {
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      return {
        passed: r.numPassedTests,
        failed: r.numFailedTests + (r.numFailedTestSuites ?? 0),
        skipped: r.numPendingTests + r.numTodoTests,
      };
    },
  );
}

function playwright() {
  const file = path.join(outDir, "e2e.json");
  runSuite(
    "e2e",
    "npx",
    ["playwright", "test", "--config", "e2e/playwright.config.ts", "--reporter=list,json"],
    { PLAYWRIGHT_JSON_OUTPUT_NAME: file },
    () => {
      const s = JSON.parse(fs.readFileSync(file, "utf8")).stats;
      return { passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped };
    },
  );
}

const databaseUrl = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
if (!(await canConnect(databaseUrl)) || !(await canConnect(process.env.REDIS_URL ?? "redis://127.0.0.1:6379"))) {
  console.error("PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) must be running: see README, or run .ci/run which starts them.");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
if (!fs.existsSync(path.join(root, "node_modules", ".package-lock.json"))) {
  spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}
generate();
if (wanted("unit")) vitest("unit");
if (wanted("integration")) vitest("integration");
if (wanted("e2e")) playwright();

console.log("");
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || problems.length > 0 ? 1 : 0);
