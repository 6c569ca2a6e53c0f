/**
 * Trino governed by Steward, in the browser and on real parts: a real Trino 476 (started here from the
 * Maven cache, see libs/integrations/src/trino/testing) over the stack's demo warehouse.
 *
 * As in real life: an admin registers the cluster while it is open (allow-all) so Steward can sync its
 * catalog, issues the decision token and reads the generated access-control.properties; the cluster's
 * operator restarts Trino with that file. A governor then subscribes alice to one table; her queries
 * through Trino are decided by the stack's decision service, and the query audit shows both the allowed
 * read and the denied one with the reason Trino itself never gives ("Access Denied" only).
 *
 * Trino missing (no Maven cache, no JDK 25) FAILS this test with startTrino's message naming what is
 * missing; it never skips.
 */
import { type Browser, expect, type Page, test } from "@playwright/test";
import {
  createTrinoClient,
  type RunningTrino,
  startTrino,
  type TrinoPostgresCatalog,
  TrinoQueryError,
  type TrinoQueryResult,
} from "@steward/integrations/trino/testing";
import { DECISIONS_URL } from "../src/stack";
import { ApiClient, chooseOption, signIn, uniqueName } from "./support";

const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
/** A demo user without any Trino access until the governor's policy below. */
const CONSUMER = { username: "alice", label: "Alice Analyst (alice)" };
const PERMITTED_TABLE = "sales.orders";
const FORBIDDEN_TABLE = "hr.salaries";

function warehouseCatalog(database: string): TrinoPostgresCatalog {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  return { url: url.toString() };
}

/**
 * access-control.properties as Trino reads it: `key=value` lines, `#` comments. Steward's generated
 * file has no escapes or continuations, so a line-based read is exact; anything else fails loudly.
 */
function parseProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("!")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0 || line.includes("\\")) throw new Error(`unexpected line in the generated access-control.properties: ${raw}`);
    props[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return props;
}

type QueryOutcome = { ok: true; result: TrinoQueryResult } | { ok: false; code: string; message: string };

/** Runs `sql` through Trino as the end user; a refusal is returned, not thrown, so tests can assert on it. */
async function queryAs(trino: RunningTrino, user: string, sql: string): Promise<QueryOutcome> {
  const client = createTrinoClient({ server: trino.url, user, timeoutMs: 60_000 });
  try {
    return { ok: true, result: await client.query(sql) };
  } catch (err) {
    if (err instanceof TrinoQueryError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

async function newSignedInPage(browser: Browser, username: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, username);
  return page;
}

/** The admin's wizard run: a TRINO connection on the open cluster, synced, with every object registered. */
async function registerTrinoConnection(page: Page, name: string, port: number): Promise<string> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  await page.getByRole("link", { name: "New connection" }).click();
  await page.getByRole("radio", { name: "Trino / Starburst" }).check();
  await page.getByRole("button", { name: "Next: details" }).click();

  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Coordinator host").fill("127.0.0.1");
  await page.getByLabel("Port", { exact: true }).fill(String(port));
  await expect(page.getByLabel("Steward's Trino user")).toHaveValue("steward");
  const catalogs = page.getByRole("combobox", { name: "Catalogs" });
  await catalogs.fill("postgresql");
  await catalogs.press("Enter");
  await page.getByRole("button", { name: "Next: test connection" }).click();

  await expect(page.getByRole("status").filter({ hasText: "Connection test succeeded" })).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: "Create connection" }).click();
  await page.getByRole("button", { name: "I have stored the secret: choose objects" }).click();

  // The first sync crawls the catalog through Trino itself.
  await expect(page.getByRole("region", { name: "First sync" })).toContainText("Succeeded", { timeout: 90_000 });
  // The two schemas the test reads: every table in them becomes a governed data source.
  const browser = page.getByRole("region", { name: "Catalog browser" });
  for (const schema of [PERMITTED_TABLE, FORBIDDEN_TABLE].map((t) => t.split(".")[0]))
    await browser
      .getByRole("treeitem", { name: new RegExp(`\\b${schema} schema\\b`) })
      .getByRole("checkbox")
      .click();
  await page.getByRole("button", { name: "Register data sources" }).click();
  await expect(page.getByText(/^[1-9]\d* data sources registered/)).toBeVisible();
  await page.getByRole("button", { name: "Open connection" }).click();
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}$/);
  return page.url().split("/").at(-1) ?? "";
}

/** Issues the decision token on the connection page; returns the file the secret-once dialog shows. */
async function issueDecisionToken(page: Page, connectionId: string): Promise<string> {
  const card = page.getByRole("region", { name: "Query-time access control" });
  // Before issuing, the file points at this stack's decision service with a placeholder (URL-encoded in the URIs).
  await expect(card.locator("pre[data-config-file='access-control.properties']")).toContainText(
    `opa.policy.uri=${DECISIONS_URL}/decisions/TRINO/${connectionId}/TOKEN_ISSUED_BY_STEWARD/allow`,
  );
  await card.getByRole("button", { name: "Issue token" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Issue token" }).click();
  const secretDialog = page.getByRole("dialog", { name: "New decision token" });
  const token = ((await secretDialog.getByLabel("Secret", { exact: true }).textContent()) ?? "").trim();
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const file = (await secretDialog.locator("pre[data-config-file='access-control.properties']").textContent()) ?? "";
  expect(file).toContain(token);
  await secretDialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(secretDialog).toBeHidden();
  return file;
}

/** The governor's policy: READ on one Trino data source for one named user. */
async function createUserPolicy(page: Page, policyName: string, sourceName: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies", exact: true }).click();
  await page.getByRole("link", { name: "New policy" }).click();
  const form = page.getByRole("form", { name: "Policy" });
  await form.getByLabel("Name", { exact: true }).fill(policyName);
  // A READ subscription is the builder's default: the person only confirms it.
  await expect(form.getByRole("radio", { name: "Read", exact: true })).toBeChecked();
  await form.getByRole("radio", { name: "Selected users" }).check();
  await chooseOption(page, "Users", CONSUMER.label, page, CONSUMER.username);
  await chooseOption(page, "Data sources", sourceName);
  await expect(form.getByText(sourceName, { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page).toHaveURL(/\/policies\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: policyName })).toBeVisible();
}

test("an admin registers Trino, a governor subscribes alice, her queries run through the real Trino and the decisions show in the query audit", async ({
  page,
  browser,
}) => {
  // Two Trino starts, a sync through Trino, policy propagation and a dozen page loads on a 2-core machine.
  test.setTimeout(300_000);
  const admin = await ApiClient.signIn("admin");
  const governor = await ApiClient.signIn("grace");
  const { connections } = await admin.gql<{ connections: { name: string; config: { databases: string[] } }[] }>(
    `{ connections { name config } }`,
  );
  const warehouse = connections.find((c) => c.name === "Demo warehouse")?.config.databases[0];
  expect(warehouse, "the demo seed registered its warehouse").toBeTruthy();
  const catalog = warehouseCatalog(warehouse ?? "");
  const connectionName = uniqueName("Trino");
  const policyName = uniqueName("alice reads orders through Trino");
  let trino: RunningTrino | undefined;
  let connectionId = "";

  try {
    // The cluster before Steward governs it: open, so the first sync can crawl it.
    trino = await startTrino({ accessControl: { kind: "allow-all" }, postgresql: catalog });
    const port = trino.port;

    await signIn(page, "admin");
    connectionId = await registerTrinoConnection(page, connectionName, port);
    const generated = parseProperties(await issueDecisionToken(page, connectionId));
    expect(generated["access-control.name"]).toBe("opa");
    expect(generated["opa.policy.uri"]).toMatch(new RegExp(`^${DECISIONS_URL.replaceAll(".", "\\.")}/decisions/TRINO/${connectionId}/`));

    // The operator deploys the generated file: same cluster, same port, now asking Steward.
    await trino.stop();
    trino = await startTrino({ port, postgresql: catalog, accessControl: { kind: "properties", properties: generated } });
    const governed = trino;

    const { dataSources } = await admin.gql<{ dataSources: { nodes: { name: string; connection: { id: string } }[] } }>(
      `query ($s: String) { dataSources(filter: { search: $s }, first: 50) { nodes { name connection { id } } } }`,
      { s: PERMITTED_TABLE },
    );
    const source = dataSources.nodes.find((n) => n.connection.id === connectionId && n.name.endsWith(`.${PERMITTED_TABLE}`));
    expect(source, `the Trino connection registered ${PERMITTED_TABLE}`).toBeDefined();
    const sourceName = source?.name ?? "";

    const grace = await newSignedInPage(browser, "grace");
    await createUserPolicy(grace, policyName, sourceName);
    await grace.context().close();

    // The worker publishes a new snapshot and the decision service loads it: retry until it lands.
    const permitted = `SELECT id, status FROM postgresql.${PERMITTED_TABLE} ORDER BY id LIMIT 3`;
    let outcome: QueryOutcome | undefined;
    await expect
      .poll(
        async () => {
          outcome = await queryAs(governed, CONSUMER.username, permitted);
          return outcome.ok ? "allowed" : outcome.code;
        },
        { timeout: 30_000, intervals: [500, 1000] },
      )
      .toBe("allowed");
    expect(outcome?.ok && outcome.result.rows).toEqual([
      [1, "PAID"],
      [2, "PAID"],
      [3, "PAID"],
    ]);
    const forbidden = await queryAs(governed, CONSUMER.username, `SELECT * FROM postgresql.${FORBIDDEN_TABLE}`);
    expect(forbidden).toMatchObject({ ok: false, code: "PERMISSION_DENIED" });
    expect(forbidden.ok ? "" : forbidden.message).toMatch(/Access Denied/);

    // The query audit: both decisions, and why the second was refused.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Query audit" }).click();
    // The label carries a help tooltip, so its accessible name is "User question-circle :".
    await page.getByRole("textbox", { name: /^User\b/ }).fill(CONSUMER.username);
    await chooseOption(page, "Operation", "SelectFromColumns");
    const decisions = page.getByRole("table", { name: "Decisions" });
    const rows = decisions.getByRole("row").filter({ hasText: connectionName }).filter({ hasText: "SelectFromColumns" });
    const allowed = rows.filter({ hasText: PERMITTED_TABLE }).filter({ hasText: "Allowed" }).first();
    const denied = rows.filter({ hasText: FORBIDDEN_TABLE }).filter({ hasText: "Denied" }).first();
    // Records are written in batches off the query path: apply the filters until both have landed.
    await expect(async () => {
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect(allowed).toBeVisible({ timeout: 2_000 });
      await expect(denied).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(allowed).toContainText(CONSUMER.username);
    const reason = ((await denied.locator("[data-denial-reason]").textContent()) ?? "").trim();
    // Trino says only "Access Denied"; the audit names the subscription alice lacks.
    expect(reason).toContain(FORBIDDEN_TABLE);
    expect(reason).toMatch(/no subscription/);

    const api = await admin.gql<{ decisionRecords: { nodes: { allowed: boolean; resource: string; reason: string }[] } }>(
      `query ($u: String!) { decisionRecords(filter: { user: $u, operation: "SelectFromColumns", allowed: false }) { nodes { allowed resource reason } } }`,
      { u: CONSUMER.username },
    );
    expect(api.decisionRecords.nodes.find((n) => n.resource.includes(FORBIDDEN_TABLE))?.reason).toBe(reason);
  } finally {
    await trino?.stop();
    // Leave the shared stack as the other specs expect it: no policy for alice, no Trino sources.
    const { policies } = await governor.gql<{ policies: { id: string; name: string }[] }>(`{ policies { id name } }`);
    for (const p of policies.filter((x) => x.name === policyName))
      await governor.gql(`mutation ($id: ID!) { deletePolicy(id: $id) }`, { id: p.id });
    if (connectionId) await admin.gql(`mutation ($id: ID!) { deleteConnection(id: $id) }`, { id: connectionId });
    await Promise.all([admin.dispose(), governor.dispose()]);
  }
});
