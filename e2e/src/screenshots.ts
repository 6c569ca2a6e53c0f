/**
 * Captures the main pages against a running e2e stack (see run-stack.ts) for a visual check:
 * `node --import tsx src/screenshots.ts [path ...]`. Images go to e2e/screenshots/ (not committed).
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import { repoRoot, WEB_URL } from "./stack";

const pages =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : ["/", "/users", "/groups", "/audit", "/settings", "/integrations/webhooks", "/connections"];
const outDir = path.join(repoRoot, "e2e/screenshots");
fs.mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
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
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(`${WEB_URL}/login`);
await page.screenshot({ path: path.join(outDir, "login.png") });
await page.getByLabel("Username").fill(process.env.SCREENSHOT_USER ?? "admin");
await page.getByLabel("Password").fill("steward-demo");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(`${WEB_URL}/`);
for (const p of pages) {
  await page.goto(`${WEB_URL}${p}`);
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(500);
  const file = path.join(outDir, `${p.replace(/^\//, "").replaceAll("/", "_") || "home"}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`${file}\n`);
}
await browser.close();
