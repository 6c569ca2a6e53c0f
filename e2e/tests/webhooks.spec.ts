import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { ApiClient, chooseOption, signIn, uniqueName } from "./support";

type Received = { headers: http.IncomingHttpHeaders; body: { type?: string; data?: { userId?: string } } & Record<string, unknown> };

test("a webhook endpoint receives an event and the delivery shows as succeeded", async ({ page }) => {
  const received: Received[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(body || "{}") });
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/${uniqueName("e2e")}`;

  const admin = await ApiClient.signIn("admin");
  const subject = await admin.createUser();

  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const form = page.getByRole("dialog", { name: "Add webhook endpoint" });
  await form.getByLabel("Endpoint URL").fill(url);
  await form.getByLabel("Description").fill("e2e receiver");
  await chooseOption(page, "Event types", "user.attributes.changed", form);
  // A multiple select keeps its list open over the dialog's buttons until you click elsewhere.
  await form.getByText("Add webhook endpoint", { exact: true }).click();
  await form.getByRole("button", { name: "Add endpoint" }).click();

  const secretDialog = page.getByRole("dialog", { name: "Endpoint signing secret" });
  await expect(secretDialog.getByLabel("Secret", { exact: true })).not.toBeEmpty();
  await secretDialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(page.getByRole("heading", { name: url })).toBeVisible();
  await expect(page.getByText("No deliveries yet.", { exact: false })).toBeVisible();

  // Trigger an event the endpoint subscribes to; the worker delivers it.
  await admin.setAttribute(subject.id, "department", ["finance"]);
  const history = page.getByRole("region", { name: "Delivery history" });
  const row = history.getByRole("row").filter({ hasText: "user.attributes.changed" }).first();
  await expect(row).toContainText("Succeeded", { timeout: 30_000 });
  await expect(row).toContainText("204");

  const delivered = received.find((r) => JSON.stringify(r.body).includes(subject.id));
  expect(delivered, "the receiver got the event for our user").toBeDefined();

  // The attempt log shows the one successful attempt; redelivering sends it again.
  await row.getByRole("button", { name: /expand/i }).click();
  await expect(page.getByRole("region", { name: /^Attempt log for delivery/ })).toContainText("204");
  const before = received.length;
  await row.getByRole("button", { name: "Redeliver user.attributes.changed delivery" }).click();
  await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(before);

  receiver.close();
  await admin.dispose();
});
