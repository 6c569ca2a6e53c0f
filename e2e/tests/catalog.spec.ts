import { createHmac, randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { API_URL } from "../src/stack";
import { ApiClient, chooseOption, signIn, uniqueName } from "./support";

const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function warehouseUrl(database: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function warehouseQuery(database: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: warehouseUrl(database) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function sign(secret: string, body: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

test("a new connection is created in the wizard, a schema registered, a column tagged, and a new table arrives via the inbound webhook", async ({
  page,
}) => {
  // Two syncs of a real database and a dozen page loads.
  test.setTimeout(180_000);
  const admin = await ApiClient.signIn("admin");
  const password = `pw-${uniqueName("x")}-Secret`;
  const steward = await admin.createUser({ username: uniqueName("steward"), password, roles: ["ADMIN", "DATA_OWNER"] });
  const { connections } = await admin.gql<{ connections: { name: string; config: { databases: string[] } }[] }>(
    `{ connections { name config } }`,
  );
  const database = connections.find((c) => c.name === "Demo warehouse")?.config.databases[0];
  expect(database, "the demo seed registered its warehouse").toBeTruthy();
  if (!database) return;
  const loyaltyTable = `loyalty_${randomBytes(4).toString("hex")}`;

  try {
    await signIn(page, steward.username, password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
    await page.getByRole("link", { name: "New connection" }).click();

    // Platform: only the supported ones can be picked.
    await expect(page.getByRole("radio", { name: /BigQuery/ })).toBeDisabled();
    await page.getByRole("radio", { name: "PostgreSQL", exact: true }).check();
    await page.getByRole("button", { name: "Next: details" }).click();

    // Details.
    const name = uniqueName("Warehouse copy");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Port").fill("5432");
    await page.getByLabel("User", { exact: true }).fill("postgres");
    const databases = page.getByRole("combobox", { name: "Databases" });
    await databases.fill(database);
    await databases.press("Enter");
    await page.getByRole("button", { name: "Next: test connection" }).click();

    // Test, then create: the inbound secret is shown once.
    await expect(page.getByRole("status").filter({ hasText: "Connection test succeeded" })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("row", { name: /Server version \d+/ })).toBeVisible();
    await page.getByRole("button", { name: "Create connection" }).click();
    const secret = ((await page.getByLabel("Inbound secret").textContent()) ?? "").trim();
    expect(secret.length).toBeGreaterThan(20);
    const webhookUrl = ((await page.getByLabel("Webhook URL").textContent()) ?? "").trim();
    expect(webhookUrl).toMatch(new RegExp(`^${API_URL.replaceAll(".", "\\.")}/webhooks/connections/[0-9a-f-]{36}/sync$`));
    const connectionId = webhookUrl.split("/").at(-2) ?? "";
    await page.getByRole("button", { name: "I have stored the secret: choose objects" }).click();

    // Choose objects once the first sync is done: the whole crm schema, auto-registering new tables.
    await expect(page.getByRole("region", { name: "First sync" })).toContainText("Succeeded", { timeout: 60_000 });
    const browser = page.getByRole("region", { name: "Catalog browser" });
    await browser
      .getByRole("treeitem", { name: /\bcrm schema\b/ })
      .getByRole("checkbox")
      .click();
    await expect(page.getByRole("switch", { name: "Auto-register new objects" })).toBeChecked();
    await page.getByRole("button", { name: "Register data sources" }).click();
    await expect(page.getByText(/^5 data sources registered/)).toBeVisible();
    await page.getByRole("button", { name: "View data sources" }).click();

    // The registered table, and a column tag.
    await page.getByRole("link", { name: "crm.customers" }).click();
    await expect(page.getByRole("heading", { name: "crm.customers" })).toBeVisible();
    const dataSourceId = page.url().split("/").at(-1) ?? "";
    const columns = page.getByRole("region", { name: "Columns" });
    const emailRow = columns.getByRole("row", { name: "Column email" });
    await emailRow.getByRole("button", { name: "Add tag to column email" }).click();
    await chooseOption(page, "Add tag to column email", "PII.Email", emailRow);
    await expect(emailRow).toContainText("PII.Email");
    await expect(emailRow.getByLabel("Remove tag PII.Email from column email")).toBeAttached();

    // Its audit trail: the registration and the tag, by our user.
    await page.getByRole("tab", { name: "Audit trail" }).click();
    const trail = page.getByRole("region", { name: "Audit trail" });
    await expect(trail.getByRole("row").filter({ hasText: "column.tagged" })).toContainText("email: PII.Email");
    await expect(trail.getByRole("row").filter({ hasText: "data_source.registered" })).toContainText(steward.username);

    // …and in the global audit log.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit", exact: true }).click();
    await expect(page.getByRole("row").filter({ hasText: "column.tagged" }).filter({ hasText: dataSourceId }).first()).toBeVisible();

    // A new table on the platform; the pipeline tells Steward through the signed inbound webhook.
    await warehouseQuery(
      database,
      `CREATE TABLE crm.${loyaltyTable} (id bigint PRIMARY KEY, customer_id bigint NOT NULL, points int NOT NULL)`,
    );
    const body = JSON.stringify({ reason: "e2e: table created" });
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "steward-signature": sign(secret, body) },
      body,
    });
    expect(res.status).toBe(202);

    // The sync shows on the connection page, and the table arrives registered (auto-register on crm).
    await page.goto(`/connections/${connectionId}`);
    await expect(page.getByRole("region", { name: "Latest sync" })).toContainText("Succeeded", { timeout: 60_000 });
    await page.getByRole("tab", { name: "Sync history" }).click();
    await expect(page.getByRole("row").filter({ hasText: "Webhook" }).first()).toContainText("Succeeded");
    await page.getByRole("tab", { name: "Catalog" }).click();
    const crm = page.getByRole("region", { name: "Catalog browser" }).getByRole("treeitem", { name: /\bcrm schema\b/ });
    await crm.getByText("crm", { exact: true }).click();
    await expect(page.getByRole("treeitem", { name: new RegExp(`\\b${loyaltyTable}\\b`) })).toContainText("registered");

    await page.goto(`/data-sources?connectionId=${connectionId}`);
    await page.getByRole("searchbox", { name: "Search data sources" }).fill(loyaltyTable);
    await page.getByRole("searchbox", { name: "Search data sources" }).press("Enter");
    await expect(page.getByRole("link", { name: `crm.${loyaltyTable}` })).toBeVisible();
  } finally {
    await warehouseQuery(database, `DROP TABLE IF EXISTS crm.${loyaltyTable}`);
    await admin.dispose();
  }
});
