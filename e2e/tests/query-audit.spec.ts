/**
 * Query-time access control in the browser: an admin issues the decision token of a Trino connection,
 * the decision service answers a denied check made with it (exactly as the cluster's `opa` access
 * control would send it), and the Query audit page shows that denial with its reason.
 *
 * Needs Trino and the decision service in the e2e stack (the integrator adds them): the stack names the
 * Trino connection it registered in E2E_TRINO_CONNECTION. Without it the test FAILS, it never skips.
 */
import { expect, test } from "@playwright/test";
import { ApiClient, signIn, uniqueName } from "./support";

const TRINO_CONNECTION = process.env.E2E_TRINO_CONNECTION;

/** The allow endpoint and any HTTP headers the generated properties configure (the token sits in one of them). */
function opaClientOf(properties: string): { allowUri: string; headers: Record<string, string> } {
  const entries = properties
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#") && line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")).trim(), line.slice(line.indexOf("=") + 1).trim()] as const);
  const allowUri = entries.find(([key]) => key === "opa.policy.uri")?.[1];
  if (!allowUri) throw new Error(`the generated access-control.properties has no opa.policy.uri:\n${properties}`);
  const headers: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!key.startsWith("opa.http-client.") || !/header/i.test(key)) continue;
    for (const header of value.split(",")) {
      const colon = header.indexOf(":");
      if (colon > 0) headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    }
  }
  return { allowUri, headers };
}

/** A SelectFromColumns check in Trino's OPA wire format, for a user Steward does not know. */
const selectAs = (user: string) => ({
  input: {
    context: { identity: { user, groups: [] }, softwareStack: { trinoVersion: "476" }, queryId: `e2e_${user}` },
    action: {
      operation: "SelectFromColumns",
      resource: { table: { catalogName: "postgresql", schemaName: "hr", tableName: "salaries", columns: ["amount"] } },
    },
  },
});

test("an admin issues a Trino decision token and finds a denied query's reason in the query audit", async ({ page, request }) => {
  expect(
    TRINO_CONNECTION,
    "E2E_TRINO_CONNECTION is not set: the e2e stack must start Trino and the decision service and name the Trino connection it registered",
  ).toBeTruthy();
  const admin = await ApiClient.signIn("admin");
  const { connections } = await admin.gql<{ connections: { id: string; name: string; kind: string }[] }>(
    `{ connections { id name kind } }`,
  );
  const connection = connections.find((c) => c.name === TRINO_CONNECTION);
  expect(connection, `no connection named ${TRINO_CONNECTION} in the e2e stack`).toBeDefined();
  expect(connection!.kind).toBe("TRINO");

  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  await page.getByRole("link", { name: TRINO_CONNECTION! }).click();
  const card = page.getByRole("region", { name: "Query-time access control" });
  await expect(card).toBeVisible();
  const shown = card.locator("pre[data-config-file='access-control.properties']");
  await expect(shown).toContainText("access-control.name=opa");
  await expect(shown).toContainText("<token issued by Steward>");

  await card.getByRole("button", { name: /Issue (new )?token/ }).click();
  await page
    .getByRole("dialog")
    .getByRole("button", { name: /Issue token|Replace token/ })
    .click();
  const secretDialog = page.getByRole("dialog", { name: "New decision token" });
  const token = ((await secretDialog.getByLabel("Secret", { exact: true }).textContent()) ?? "").trim();
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const issuedFile = (await secretDialog.locator("pre[data-config-file='access-control.properties']").textContent()) ?? "";
  expect(issuedFile).toContain(token);
  await secretDialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(secretDialog).toBeHidden();
  await expect(page.getByText(token)).toHaveCount(0);
  await expect(card).not.toContainText("Never");

  // Acting as the cluster: a wrong token is refused, the issued one is answered (a deny for a stranger).
  const opa = opaClientOf(issuedFile);
  const forge = (s: string) => s.split(token).join(`x${token.slice(1)}`);
  const forged = await request.post(forge(opa.allowUri), {
    data: selectAs("nobody"),
    headers: Object.fromEntries(Object.entries(opa.headers).map(([k, v]) => [k, forge(v)])),
  });
  expect(forged.ok(), "a request with a token Steward did not issue must be refused").toBe(false);
  const stranger = uniqueName("stranger");
  const answer = await request.post(opa.allowUri, { data: selectAs(stranger), headers: opa.headers });
  expect(answer.status()).toBe(200);
  expect(((await answer.json()) as { result: unknown }).result).toBe(false);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Query audit" }).click();
  await page.getByLabel("User").fill(stranger);
  // Records are written in batches off the request path: apply the filter until the batch has landed.
  const row = page.getByRole("row").filter({ hasText: stranger });
  await expect(async () => {
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(row.first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  const denied = row.first();
  await expect(denied).toContainText(stranger);
  await expect(denied).toContainText("SelectFromColumns");
  await expect(denied.getByText("Denied")).toBeVisible();
  const reason = ((await denied.locator("[data-denial-reason]").textContent()) ?? "").trim();
  // Trino itself says only "Access Denied"; the audit must say why.
  expect(reason.length).toBeGreaterThan(0);
  expect(reason).not.toBe("Access Denied");

  const api = await admin.gql<{ decisionRecords: { nodes: { allowed: boolean; reason: string }[] } }>(
    `query($u: String!) { decisionRecords(filter: {user: $u}) { nodes { allowed reason } } }`,
    { u: stranger },
  );
  expect(api.decisionRecords.nodes).toContainEqual({ allowed: false, reason });
  await admin.dispose();
});
