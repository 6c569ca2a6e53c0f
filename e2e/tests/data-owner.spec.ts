import { expect, test } from "@playwright/test";
import { ApiClient, signIn, uniqueName } from "./support";

test("a data owner picks a co-owner by name, reads the source's audit trail, and the tags page counts sources", async ({ page }) => {
  test.setTimeout(120_000);
  const admin = await ApiClient.signIn("admin");
  const password = `pw-${uniqueName("x")}-Secret`;
  const owner = await admin.createUser({ username: uniqueName("owner"), password, roles: ["DATA_OWNER"] });
  const colleague = await admin.createUser({ username: uniqueName("colleague") });
  const { connections } = await admin.gql<{ connections: { id: string; name: string; dataOwners: { id: string }[] }[] }>(
    `{ connections { id name dataOwners { id } } }`,
  );
  const demo = connections.find((c) => c.name === "Demo warehouse");
  expect(demo, "the demo seed registered its warehouse").toBeTruthy();
  if (!demo) return;
  // Assigned to the demo connection (keeping its other data owners), so the owner can manage its sources.
  await admin.gql(`mutation ($input: UpdateConnectionInput!) { updateConnection(input: $input) { id } }`, {
    input: { id: demo.id, dataOwnerIds: [...demo.dataOwners.map((o) => o.id), owner.id] },
  });
  const { dataSources } = await admin.gql<{ dataSources: { nodes: { id: string; name: string }[] } }>(
    `query ($c: ID!) { dataSources(filter: { connectionId: $c }, first: 1) { nodes { id name } } }`,
    { c: demo.id },
  );
  const source = dataSources.nodes[0];
  expect(source).toBeTruthy();
  if (!source) return;
  const tag = `E2E.${uniqueName("owner").replace("-", "")}`;
  await admin.gql(`mutation ($d: ID!, $t: String!) { tagDataSource(dataSourceId: $d, tag: $t) { id } }`, { d: source.id, t: tag });

  await signIn(page, owner.username, password);
  await page.goto(`/data-sources/${source.id}`);
  // The user picker answers a data owner (names only) and the new owner is saved.
  const owners = page.getByRole("region", { name: "Owners" });
  await expect(owners).toBeVisible();
  await owners.getByRole("button", { name: "Edit owners" }).click();
  // The server searches usernames and display names; the option shows both.
  const users = owners.getByRole("combobox", { name: "Users" });
  await users.fill(colleague.username);
  await expect(page.getByRole("option", { name: `Test ${colleague.username} (${colleague.username})`, exact: true })).toBeAttached();
  await users.press("Enter");
  // A multiple select stays open after a pick; close it so it does not cover the buttons.
  await users.press("Escape");
  await owners.getByRole("button", { name: "Save owners" }).click();
  await expect(owners).toContainText(`Test ${colleague.username}`);

  // The audit trail of their source is theirs to read.
  await page.getByRole("tab", { name: "Audit trail" }).click();
  const trail = page.getByRole("region", { name: "Audit trail" });
  await expect(trail.getByRole("row").filter({ hasText: "data_source.owners_set" }).first()).toContainText(owner.username);

  // The tags page shows the count from Tag.dataSourceCount.
  await page.goto("/data-sources/tags");
  await page.getByRole("searchbox", { name: "Search tags" }).fill(tag);
  await page.getByRole("searchbox", { name: "Search tags" }).press("Enter");
  await expect(page.getByRole("row").filter({ hasText: tag })).toContainText("1 data source");
  await admin.dispose();
});
