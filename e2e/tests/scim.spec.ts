import { expect, request, test } from "@playwright/test";
import { API_URL } from "../src/stack";
import { ApiClient, signIn, uniqueName } from "./support";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

test("an admin maps a SCIM attribute and creates a SCIM key in the browser; an IdP request with it provisions a user shown on the Users page", async ({
  page,
}) => {
  const admin = await ApiClient.signIn("admin");
  const password = `pw-${uniqueName("x")}-Secret`;
  const me = await admin.createUser({ username: uniqueName("idp-admin"), password, roles: ["ADMIN"] });
  const keyName = uniqueName("okta");
  await signIn(page, me.username, password);

  // The attribute mapping: what is saved shows on the Integrations page, and is edited there.
  await admin.gql(`mutation ($m: [ScimAttributeMappingInput!]!) { setScimAttributeMappings(mappings: $m) { scimPath } }`, {
    m: [{ scimPath: `${ENT}:costCenter`, attributeKey: "cost_center" }],
  });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
  const card = page.locator(".ant-card").filter({ hasText: "SCIM provisioning" });
  await expect(card.getByRole("textbox", { name: "SCIM attribute 1" })).toHaveValue(`${ENT}:costCenter`);
  await expect(card.getByRole("textbox", { name: "Steward attribute 1" })).toHaveValue("cost_center");
  await expect(card.getByRole("textbox", { name: "SCIM attribute 2" })).toHaveCount(0);
  // A reserved core attribute is refused next to its row, and nothing is saved.
  await card.getByRole("textbox", { name: "SCIM attribute 1" }).fill("userName");
  await card.getByRole("button", { name: "Save mapping" }).click();
  await expect(card.getByText("reserved")).toBeVisible();
  await card.getByRole("button", { name: "Remove mapping 1" }).click();
  await card.getByRole("button", { name: "Add mapping" }).click();
  await card.getByRole("textbox", { name: "SCIM attribute 1" }).fill(`${ENT}:department`);
  await card.getByRole("textbox", { name: "Steward attribute 1" }).fill("department");
  await card.getByRole("button", { name: "Save mapping" }).click();
  await expect(page.getByText("SCIM attribute mapping saved")).toBeVisible();
  const mapped = await admin.gql<{ scimAttributeMappings: { scimPath: string; attributeKey: string }[] }>(
    "{ scimAttributeMappings { scimPath attributeKey } }",
  );
  expect(mapped.scimAttributeMappings).toEqual([{ scimPath: `${ENT}:department`, attributeKey: "department" }]);

  // A SCIM key from the API key form; its secret is shown once.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("button", { name: "Create API key" }).click();
  const form = page.getByRole("dialog", { name: "Create API key" });
  await form.getByLabel("Name").fill(keyName);
  await form.getByText("SCIM provisioning", { exact: true }).click();
  await expect(form.getByLabel("Roles")).toBeHidden();
  await form.getByRole("button", { name: "Create key" }).click();
  const secretDialog = page.getByRole("dialog", { name: "Your new API key" });
  await expect(secretDialog.getByText("SCIM bearer token", { exact: false })).toBeVisible();
  const secret = ((await secretDialog.getByLabel("Secret", { exact: true }).textContent()) ?? "").trim();
  expect(secret.length).toBeGreaterThan(20);
  await secretDialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(page.getByText(secret)).toHaveCount(0);
  const row = page.getByRole("row", { name: new RegExp(keyName) });
  await expect(row).toContainText("SCIM provisioning");
  await expect(row).toContainText("Admin");

  // The identity provider's request, with the key from the browser.
  const idp = await request.newContext({
    baseURL: API_URL,
    extraHTTPHeaders: { authorization: `Bearer ${secret}`, "content-type": "application/scim+json" },
  });
  const local = uniqueName("grace");
  const created = await idp.post("/scim/v2/Users", {
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENT],
      userName: `${local}@example.com`,
      name: { givenName: "Grace", familyName: "Hopper" },
      emails: [{ primary: true, type: "work", value: `${local}@example.com` }],
      active: true,
      [ENT]: { department: "Research" },
    },
  });
  expect(created.status()).toBe(201);
  // The same key is no GraphQL key.
  const refused = await idp.post("/graphql", {
    data: { query: "{ me { user { id } } }" },
    headers: { "content-type": "application/json" },
  });
  expect(((await refused.json()) as { data?: { me: unknown } }).data?.me ?? null).toBeNull();
  await idp.dispose();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users & groups" }).click();
  await page.getByLabel("Search users").fill(local);
  await page.getByLabel("Search users").press("Enter");
  const userRow = page.getByRole("row", { name: new RegExp(local) });
  await expect(userRow).toContainText("Grace Hopper");
  await userRow.getByRole("link", { name: "Grace Hopper" }).click();
  await expect(page.getByRole("row", { name: /department/ })).toContainText("Research");

  await admin.dispose();
});
