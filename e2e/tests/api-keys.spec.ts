import { expect, test } from "@playwright/test";
import { ApiClient, signIn, uniqueName } from "./support";

test("a user creates an API key, sees its secret once, and revokes it", async ({ page }) => {
  const admin = await ApiClient.signIn("admin");
  const password = `pw-${uniqueName("x")}-Secret`;
  const user = await admin.createUser({ username: uniqueName("kim"), password });
  const keyName = uniqueName("ci-key");

  await signIn(page, user.username, password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByText("You have no active API keys.")).toBeVisible();

  await page.getByRole("button", { name: "Create API key" }).click();
  const form = page.getByRole("dialog", { name: "Create API key" });
  await form.getByLabel("Name").fill(keyName);
  await form.getByRole("button", { name: "Create key" }).click();

  const secretDialog = page.getByRole("dialog", { name: "Your new API key" });
  await expect(secretDialog.getByText("this is the only time it is shown", { exact: false })).toBeVisible();
  const secret = ((await secretDialog.getByLabel("Secret", { exact: true }).textContent()) ?? "").trim();
  expect(secret.length).toBeGreaterThan(20);
  await expect(secretDialog.getByRole("button", { name: "Copy secret" })).toBeVisible();
  await secretDialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(secretDialog).toBeHidden();
  await expect(page.getByText(secret)).toHaveCount(0);

  const row = page.getByRole("row", { name: new RegExp(keyName) });
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Never");

  // The secret authenticates as the user.
  const withKey = await ApiClient.withApiKey(secret);
  const me = await withKey.gql<{ me: { user: { username: string }; authMethod: string } }>(`{ me { authMethod user { username } } }`);
  expect(me.me).toEqual({ authMethod: "API_KEY", user: { username: user.username } });

  await row.getByRole("button", { name: `Revoke API key ${keyName}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("row", { name: new RegExp(keyName) })).toHaveCount(0);
  await page.getByRole("switch", { name: "Show revoked keys" }).click();
  await expect(page.getByRole("row", { name: new RegExp(keyName) })).toContainText("Revoked");

  const afterRevoke = await withKey.raw<{ me: unknown }>(`{ me { user { id } } }`);
  expect(afterRevoke.data?.me ?? null).toBeNull();

  await withKey.dispose();
  await admin.dispose();
});
