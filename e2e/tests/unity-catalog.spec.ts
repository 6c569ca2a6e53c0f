/**
 * Databricks Unity Catalog governed by Steward, in the browser and against the real Unity Catalog OSS
 * server (0.4.1, authorization enabled; started here, see libs/integrations/src/unity-catalog/testing).
 *
 * An admin registers the server in the connection wizard and registers its table; alice's UC user
 * name is her platform account; a governor subscribes her; the worker's reconcile PATCHes the grants
 * into UC (USE CATALOG, USE SCHEMA, SELECT). Deleting the policy in the UI revokes them again.
 *
 * A missing UC build or JDK FAILS this test with the runtime's message naming what is missing; it
 * never skips.
 */
import { expect, type Page, test } from "@playwright/test";
import { type RunningUnityCatalog, startUnityCatalog } from "@steward/integrations/unity-catalog/testing";
import { ApiClient, chooseOption, signIn, uniqueName } from "./support";

const api = "/api/2.1/unity-catalog";
const CONSUMER = { username: "alice", label: "Alice Analyst (alice)" };
/** UC principals are user names (e-mail addresses); alice's is set as her DATABRICKS_UC platform account. */
const PRINCIPAL = "alice.analyst@uc.example.test";
const SCHEMA = "sales";
const TABLE = "orders";

async function privilegesOf(uc: RunningUnityCatalog, type: string, parts: string[]): Promise<string[]> {
  const res = await uc.rest<{ privilege_assignments: { principal: string; privileges: string[] }[] }>(
    "GET",
    `${api}/permissions/${type}/${parts.map(encodeURIComponent).join(".")}?principal=${encodeURIComponent(PRINCIPAL)}`,
  );
  return res.privilege_assignments
    .filter((a) => a.principal === PRINCIPAL)
    .flatMap((a) => a.privileges)
    .sort();
}

/** What alice holds on the table and its parents, as UC itself reports it. */
async function aliceGrants(uc: RunningUnityCatalog, catalog: string): Promise<string[][]> {
  return [
    await privilegesOf(uc, "catalog", [catalog]),
    await privilegesOf(uc, "schema", [catalog, SCHEMA]),
    await privilegesOf(uc, "table", [catalog, SCHEMA, TABLE]),
  ];
}

/** The admin's wizard run: a DATABRICKS_UC connection on the OSS server, synced, with the table registered. */
async function registerUcConnection(page: Page, name: string, uc: RunningUnityCatalog, catalog: string): Promise<string> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  await page.getByRole("link", { name: "New connection" }).click();
  await page.getByRole("radio", { name: "Databricks Unity Catalog" }).check();
  await page.getByRole("button", { name: "Next: details" }).click();

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Workspace or server URL").fill(uc.url);
  // A fixed list (no search): open it and pick the visible option.
  await page.getByRole("combobox", { name: /^Server\b/ }).click();
  await page.locator(".ant-select-item-option[title='OSS']").click();
  // The flavor is proven below: OSS refuses Databricks spellings, so no grant would land without it.
  await page.getByRole("textbox", { name: /^Token\b/ }).fill(uc.adminToken);
  const catalogs = page.getByRole("combobox", { name: "Catalogs" });
  await catalogs.fill(catalog);
  await catalogs.press("Enter");
  await page.getByRole("button", { name: "Next: test connection" }).click();

  await expect(page.getByRole("status").filter({ hasText: "Connection test succeeded" })).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: "Create connection" }).click();
  await page.getByRole("button", { name: "I have stored the secret: choose objects" }).click();

  await expect(page.getByRole("region", { name: "First sync" })).toContainText("Succeeded", { timeout: 90_000 });
  await page
    .getByRole("region", { name: "Catalog browser" })
    .getByRole("treeitem", { name: new RegExp(`\\b${SCHEMA} schema\\b`) })
    .getByRole("checkbox")
    .click();
  await page.getByRole("button", { name: "Register data sources" }).click();
  await expect(page.getByText(/^1 data sources? registered/)).toBeVisible();
  await page.getByRole("button", { name: "Open connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}$/);
  return page.url().split("/").at(-1) ?? "";
}

/** The governor's policy: READ on the UC table for alice; returns the policy page's URL. */
async function createUserPolicy(page: Page, policyName: string, sourceName: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies", exact: true }).click();
  await page.getByRole("link", { name: "New policy" }).click();
  const form = page.getByRole("form", { name: "Policy" });
  await form.getByLabel("Name", { exact: true }).fill(policyName);
  await expect(form.getByRole("radio", { name: "Read", exact: true })).toBeChecked();
  await form.getByRole("radio", { name: "Selected users" }).check();
  await chooseOption(page, "Users", CONSUMER.label, page, CONSUMER.username);
  await chooseOption(page, "Data sources", sourceName);
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page).toHaveURL(/\/policies\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: policyName })).toBeVisible();
}

test("an admin registers Unity Catalog, a governor's policy becomes grants in UC, and deleting it revokes them", async ({
  page,
  browser,
}) => {
  // A UC server start, a sync, two reconciles and a dozen page loads on a 2-core machine.
  test.setTimeout(300_000);
  const admin = await ApiClient.signIn("admin");
  const governor = await ApiClient.signIn("grace");
  const catalog = uniqueName("e2e_uc");
  const connectionName = uniqueName("Unity Catalog");
  const policyName = uniqueName("alice reads UC orders");
  let uc: RunningUnityCatalog | undefined;
  let connectionId = "";
  let aliceId = "";

  try {
    uc = await startUnityCatalog();
    const server = uc;
    await server.rest("POST", `${api}/catalogs`, { name: catalog });
    await server.rest("POST", `${api}/schemas`, { name: SCHEMA, catalog_name: catalog });
    await server.rest("POST", `${api}/tables`, {
      name: TABLE,
      catalog_name: catalog,
      schema_name: SCHEMA,
      table_type: "EXTERNAL",
      data_source_format: "DELTA",
      columns: [{ name: "id", type_name: "INT", type_text: "int", type_json: "{}", position: 0, nullable: true }],
      storage_location: `file:///tmp/steward-e2e-uc/${catalog}/${TABLE}`,
    });
    await server.createUser(PRINCIPAL);

    const { userOptions } = await admin.gql<{ userOptions: { id: string; username: string }[] }>(
      `query ($s: String) { userOptions(search: $s) { id username } }`,
      { s: CONSUMER.username },
    );
    aliceId = userOptions.find((u) => u.username === CONSUMER.username)?.id ?? "";
    expect(aliceId, "the demo seed has alice").toBeTruthy();
    await admin.gql(`mutation ($input: SetPlatformAccountInput!) { setPlatformAccount(input: $input) { id } }`, {
      input: { userId: aliceId, platform: "DATABRICKS_UC", accountName: PRINCIPAL },
    });

    await signIn(page, "admin");
    connectionId = await registerUcConnection(page, connectionName, server, catalog);
    expect(await aliceGrants(server, catalog)).toEqual([[], [], []]);

    const { dataSources } = await admin.gql<{ dataSources: { nodes: { name: string; connection: { id: string } }[] } }>(
      `query ($s: String) { dataSources(filter: { search: $s }, first: 50) { nodes { name connection { id } } } }`,
      { s: catalog },
    );
    const source = dataSources.nodes.find((n) => n.connection.id === connectionId && n.name.endsWith(`${SCHEMA}.${TABLE}`));
    expect(source, `the UC connection registered ${catalog}.${SCHEMA}.${TABLE}`).toBeDefined();

    const grace = await (await browser.newContext()).newPage();
    await signIn(grace, "grace");
    await createUserPolicy(grace, policyName, source?.name ?? "");

    // The worker reconciles the connection: poll UC until the grants land (OSS spells with spaces).
    await expect
      .poll(() => aliceGrants(server, catalog), { timeout: 60_000, intervals: [500, 1000] })
      .toEqual([["USE CATALOG"], ["USE SCHEMA"], ["SELECT"]]);

    // The governor deletes the policy in the UI; the dialog shows the revocation before it happens.
    await grace.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = grace.getByRole("dialog", { name: new RegExp(`Delete “${policyName}”`) });
    await expect(dialog.getByRole("button", { name: "Delete policy" })).toBeEnabled({ timeout: 30_000 });
    await dialog.getByRole("button", { name: "Delete policy" }).click();
    await expect(grace).toHaveURL(/\/policies$/);
    await grace.context().close();

    await expect.poll(() => aliceGrants(server, catalog), { timeout: 60_000, intervals: [500, 1000] }).toEqual([[], [], []]);
  } finally {
    await uc?.stop();
    // Leave the shared stack as the other specs expect it: no policy, no UC connection, no UC account.
    const { policies } = await governor.gql<{ policies: { id: string; name: string }[] }>(`{ policies { id name } }`);
    for (const p of policies.filter((x) => x.name === policyName))
      await governor.gql(`mutation ($id: ID!) { deletePolicy(id: $id) }`, { id: p.id });
    if (connectionId) await admin.gql(`mutation ($id: ID!) { deleteConnection(id: $id) }`, { id: connectionId });
    if (aliceId)
      await admin.gql(`mutation ($input: SetPlatformAccountInput!) { setPlatformAccount(input: $input) { id } }`, {
        input: { userId: aliceId, platform: "DATABRICKS_UC", accountName: null },
      });
    await Promise.all([admin.dispose(), governor.dispose()]);
  }
});
