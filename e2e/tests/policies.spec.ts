import { randomBytes } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { ApiClient, chooseOption, signIn, uniqueName } from "./support";

const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function warehouseUrl(database: string, user?: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = "";
  }
  return url.toString();
}

/** SELECTs as the end user over local trust auth; returns null when it worked, else the error message. */
async function selectAs(database: string, user: string, table: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: warehouseUrl(database, user) });
  try {
    await client.connect();
    await client.query(`SELECT count(*) FROM ${table}`);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function expectSelect(database: string, user: string, table: string, outcome: "works" | "denied", timeout = 25_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const error = await selectAs(database, user, table);
        if (outcome === "works") return error ?? "ok";
        return error && /permission denied/.test(error) ? "denied" : (error ?? "it worked");
      },
      { timeout, intervals: [500, 1000] },
    )
    .toBe(outcome === "works" ? "ok" : "denied");
}

/**
 * Drops the login roles the reconciler created for the test's (deactivated) users, grants first. A
 * reconcile already in flight may recreate a role just dropped, so this repeats until they stay gone.
 */
async function dropUserRoles(database: string, usernames: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: warehouseUrl(database) });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      for (const u of usernames) {
        await client.query(`DROP OWNED BY "${u}"`).catch(() => undefined);
        await client.query(`DROP ROLE IF EXISTS "${u}"`).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 1500));
      const left = await client.query("SELECT 1 FROM pg_roles WHERE rolname = ANY($1)", [usernames]);
      if (left.rowCount === 0) return;
    }
  } finally {
    await client.end();
  }
}

type Source = { id: string; name: string; database: string };

async function demoSource(admin: ApiClient, table: string): Promise<Source> {
  const data = await admin.gql<{ dataSources: { nodes: { id: string; name: string; path: string[]; connection: { name: string } }[] } }>(
    `query ($s: String) { dataSources(filter: { search: $s }, first: 20) { nodes { id name path connection { name } } } }`,
    { s: table },
  );
  const source = data.dataSources.nodes.find((n) => n.connection.name === "Demo warehouse" && n.name.endsWith(`.${table}`));
  if (!source) throw new Error(`the demo warehouse has no ${table}`);
  return { id: source.id, name: source.name, database: source.name.split(".")[0] ?? "" };
}

/** Removes the test's policies and waits until the demo warehouse has applied the removal. */
async function deletePolicies(governor: ApiClient, names: string[]): Promise<void> {
  const { policies } = await governor.gql<{ policies: { id: string; name: string }[] }>(`{ policies { id name } }`);
  for (const p of policies.filter((x) => names.includes(x.name)))
    await governor.gql(`mutation ($id: ID!) { deletePolicy(id: $id) }`, { id: p.id });
}

async function pickSource(page: Page, source: Source): Promise<void> {
  await chooseOption(page, "Data sources", source.name);
  await expect(page.getByRole("form", { name: "Policy" }).getByText(source.name, { exact: true }).first()).toBeVisible();
}

function localDateTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

async function newSignedInPage(browser: Browser, username: string, password?: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, username, password);
  return page;
}

test("a governor builds an attribute policy with a live preview; the matching user can SELECT on PostgreSQL, the other cannot", async ({
  page,
}) => {
  test.setTimeout(150_000);
  const admin = await ApiClient.signIn("admin");
  const governor = await ApiClient.signIn("grace");
  const department = `dept-${randomBytes(3).toString("hex")}`;
  const insider = await admin.createUser({ username: uniqueName("ana") });
  const outsider = await admin.createUser({ username: uniqueName("otto") });
  await admin.setAttribute(insider.id, "department", [department]);
  await admin.setAttribute(outsider.id, "department", ["elsewhere"]);
  const source = await demoSource(admin, "hr.absences");
  const policyName = uniqueName(`${department} reads absences`);

  try {
    await signIn(page, "grace");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies", exact: true }).click();
    await page.getByRole("link", { name: "New policy" }).click();
    await expect(page).toHaveURL(/\/policies\/new$/);
    await page.getByRole("form", { name: "Policy" }).getByLabel("Name", { exact: true }).fill(policyName);
    await expect(page.getByRole("radio", { name: "Users with groups, attributes or purposes" })).toBeChecked();
    await chooseOption(page, "Attribute key 1", "department");
    const values = page.getByRole("combobox", { name: "Values 1" });
    await values.fill(department);
    await values.press("Enter");
    await pickSource(page, source);

    const preview = page.getByRole("region", { name: "Preview" });
    const changes = preview.getByRole("table", { name: "Access changes" });
    await expect(changes.getByRole("row", { name: new RegExp(insider.username) })).toBeVisible();
    await expect(changes.getByRole("row", { name: new RegExp(outsider.username) })).toHaveCount(0);
    await preview.getByRole("button", { name: /Demo warehouse: \d+ statements?/ }).click();
    await expect(preview.getByLabel("SQL for Demo warehouse")).toContainText(/GRANT SELECT ON TABLE "hr"\."absences"/);

    await page.getByRole("button", { name: "Create policy" }).click();
    await expect(page).toHaveURL(/\/policies\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: policyName })).toBeVisible();
    await expect(page.getByText(`department has any of [${department}]`).first()).toBeVisible();

    await expectSelect(source.database, insider.username, "hr.absences", "works");
    await expectSelect(source.database, outsider.username, "hr.absences", "denied");
  } finally {
    await deletePolicies(governor, [policyName]);
    await admin.gql(`mutation ($id: ID!) { deactivateUser(id: $id) { id } }`, { id: insider.id });
    await admin.gql(`mutation ($id: ID!) { deactivateUser(id: $id) { id } }`, { id: outsider.id });
    await expectSelect(source.database, insider.username, "hr.absences", "denied").catch(() => undefined);
    await dropUserRoles(source.database, [insider.username, outsider.username]);
    await Promise.all([admin.dispose(), governor.dispose()]);
  }
});

test("anyone who asks: a user requests access, the governor approves it with an expiry, and access ends by itself", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const admin = await ApiClient.signIn("admin");
  const governor = await ApiClient.signIn("grace");
  const password = `pw-${uniqueName("x")}-Secret`;
  const requester = await admin.createUser({ username: uniqueName("rita"), password });
  const source = await demoSource(admin, "hr.reviews");
  const policyName = uniqueName("reviews on request");

  try {
    await signIn(page, "grace");
    await page.goto("/policies/new");
    await page.getByRole("form", { name: "Policy" }).getByLabel("Name", { exact: true }).fill(policyName);
    await page.getByRole("radio", { name: "Anyone who asks (approved request)" }).check();
    await pickSource(page, source);
    // Nobody has asked yet: the preview shows no change, but the policy is valid.
    await expect(page.getByRole("region", { name: "Preview" }).getByText("Nobody's access changes")).toBeVisible();
    await page.getByRole("button", { name: "Create policy" }).click();
    await expect(page).toHaveURL(/\/policies\/[0-9a-f-]{36}$/);
    await expectSelect(source.database, requester.username, "hr.reviews", "denied");

    // The requester asks in the browser.
    const asker = await newSignedInPage(browser, requester.username, password);
    await asker.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests" }).click();
    await asker.getByRole("button", { name: "Request access" }).click();
    const dialog = asker.getByRole("dialog", { name: "Request access" });
    await chooseOption(asker, "Data source", source.name, dialog);
    await dialog.getByLabel("Reason").fill("Calibrating the annual review cycle");
    await dialog.getByRole("button", { name: "Send request" }).click();
    const mine = asker.getByRole("table", { name: "My requests" });
    await expect(mine.getByRole("row", { name: /PENDING/ })).toBeVisible();

    // The governor approves in the inbox, with an expiry ~40 s ahead.
    await page.goto("/requests?tab=inbox");
    await page.getByRole("button", { name: `Approve request from ${requester.username} for ${source.name}` }).click();
    const approve = page.getByRole("dialog", { name: /Approve/ });
    const expiresAt = new Date(Date.now() + 40_000);
    const picker = approve.getByLabel("Access ends");
    await picker.click();
    await picker.fill(localDateTime(expiresAt));
    // Confirm the typed instant in the picker's panel (Enter would also submit the dialog's form).
    await page.getByRole("button", { name: "OK", exact: true }).click();
    await expect(picker).toHaveValue(localDateTime(expiresAt));
    await approve.getByRole("button", { name: "Approve", exact: true }).click();
    await expect(
      page.getByRole("table", { name: "Pending approvals" }).getByRole("row", { name: new RegExp(requester.username) }),
    ).toHaveCount(0);

    await expectSelect(source.database, requester.username, "hr.reviews", "works");
    await asker.reload();
    await expect(asker.getByRole("table", { name: "My requests" }).getByRole("row", { name: /APPROVED/ })).toBeVisible();

    // After the expiry the worker revokes the grant by itself.
    await expectSelect(source.database, requester.username, "hr.reviews", "denied", Math.max(0, expiresAt.getTime() - Date.now()) + 30_000);
    await asker.context().close();
  } finally {
    await deletePolicies(governor, [policyName]);
    await admin.gql(`mutation ($id: ID!) { deactivateUser(id: $id) { id } }`, { id: requester.id });
    await dropUserRoles(source.database, [requester.username]);
    await Promise.all([admin.dispose(), governor.dispose()]);
  }
});

test("a requester withdraws a pending request, and it leaves the governor's inbox", async ({ page, browser }) => {
  const admin = await ApiClient.signIn("admin");
  const password = `pw-${uniqueName("x")}-Secret`;
  const requester = await admin.createUser({ username: uniqueName("cato"), password });
  const source = await demoSource(admin, "hr.reviews");
  try {
    const asker = await newSignedInPage(browser, requester.username, password);
    await asker.goto("/requests");
    await asker.getByRole("button", { name: "Request access" }).click();
    const dialog = asker.getByRole("dialog", { name: "Request access" });
    await chooseOption(asker, "Data source", source.name, dialog);
    await dialog.getByLabel("Reason").fill("Checking last year's review scores");
    await dialog.getByRole("button", { name: "Send request" }).click();
    const mine = asker.getByRole("table", { name: "My requests" });
    await expect(mine.getByRole("row", { name: /PENDING/ })).toBeVisible();

    await signIn(page, "grace");
    await page.goto("/requests?tab=inbox");
    const pending = page.getByRole("table", { name: "Pending approvals" }).getByRole("row", { name: new RegExp(requester.username) });
    await expect(pending).toHaveCount(1);

    await mine.getByRole("button", { name: `Cancel request for ${source.name}` }).click();
    await asker.getByRole("button", { name: "Cancel request", exact: true }).click();
    await expect(mine.getByRole("row", { name: /CANCELLED/ })).toBeVisible();
    await expect(mine.getByRole("button", { name: `Cancel request for ${source.name}` })).toHaveCount(0);

    await page.reload();
    await expect(pending).toHaveCount(0);
    await asker.context().close();
  } finally {
    await admin.gql(`mutation ($id: ID!) { deactivateUser(id: $id) { id } }`, { id: requester.id });
    await admin.dispose();
  }
});
