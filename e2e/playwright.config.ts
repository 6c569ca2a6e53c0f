import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { WEB_URL } from "./src/stack";

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  globalSetup: "./src/global-setup.ts",
  // Building the web app and starting four services happens once, in globalSetup.
  globalTimeout: 25 * 60_000,
  // Generous: CI machines have 2 cores and the stack (API, worker, Next, PostgreSQL) shares them.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["json", { outputFile: path.join(os.tmpdir(), "steward-e2e-results.json") }]],
  use: {
    baseURL: WEB_URL,
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
