import { expect, test } from "@playwright/test";
import { ApiClient, signIn, uniqueName } from "./support";

test("a plain user does not see admin navigation and is refused admin pages", async ({ page }) => {
  const admin = await ApiClient.signIn("admin");
  const password = `pw-${uniqueName("x")}-Secret`;
  const user = await admin.createUser({ username: uniqueName("pat"), password });

  await signIn(page, user.username, password);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Settings" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Requests" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Projects" })).toBeVisible();
  for (const hidden of ["Users & groups", "Audit", "Integrations", "Connections", "Policies", "Data policies", "Purposes"]) {
    await expect(nav.getByRole("link", { name: hidden })).toHaveCount(0);
  }

  for (const path of ["/users", "/audit", "/integrations/webhooks", `/users/${user.id}`]) {
    await page.goto(path);
    await expect(page.getByText("403 — Not allowed")).toBeVisible();
  }

  // The API refuses it too: the UI only hides what the server enforces.
  const asUser = await ApiClient.signIn(user.username, password);
  const users = await asUser.raw(`{ users(first: 1) { totalCount } }`);
  expect(users.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  const audit = await asUser.raw(`{ auditEvents(first: 1) { nodes { id } } }`);
  expect(audit.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

  await asUser.dispose();
  await admin.dispose();
});
