/**
 * Issue #11: an identity provider deactivates a user (SCIM `PATCH /Users/{id}` with
 * `{"op":"replace","value":{"active":false}}`, Okta's shape) → the user's PostgreSQL access is gone.
 * Measured from the moment the PATCH answer arrives until `has_table_privilege(user, table, 'SELECT')` is
 * false and the role can no longer log in, polled on one warehouse session. The real API (in this
 * process, over HTTP) and the real worker (this process, production code path: outbox NOTIFY → dispatch →
 * reconcile). Between runs the user is reactivated (`active: true`) and waited for. Goal: within a second.
 *
 *   npm run bench -- scim-deactivation [--runs 20]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { adminQuery, urlForDatabase } from "@steward/db/testing";
import pg from "pg";
import { startScimStack } from "../apps/worker/src/testing/scim-stack";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" } } });
const RUNS = Number(values.runs);
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const run = randomBytes(4).toString("hex");
const TEMPLATE = `steward_bench_scim_${run}`;

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main() {
  // The stack clones its metadata database from a migrated template, as the integration tests do.
  await adminQuery(`CREATE DATABASE "${TEMPLATE}"`);
  const migrated = spawnSync(
    process.execPath,
    ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "libs/db/src/migrate/cli.ts", "deploy"],
    { env: { ...process.env, DATABASE_URL: urlForDatabase(TEMPLATE) }, encoding: "utf8" },
  );
  if (migrated.status !== 0) throw new Error(migrated.stderr);
  process.env.STEWARD_TEST_TEMPLATE_DB = TEMPLATE;
  const stack = await startScimStack("benchscim", { sales: ["orders"] });
  const probe = new pg.Client({ connectionString: urlForDatabase(stack.warehouse) });
  try {
    const created = await stack.scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: `dana.${run}@example.com`,
      name: { givenName: "Dana", familyName: "Bench" },
      active: true,
    });
    if (created.status !== 201) throw new Error(`SCIM create: ${created.status} ${JSON.stringify(created.body)}`);
    const userId = created.body.id as string;
    const group = await stack.scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Sales readers",
      members: [{ value: userId }],
    });
    if (group.status !== 201) throw new Error(`SCIM group: ${group.status} ${JSON.stringify(group.body)}`);
    const policy = await stack.api.gql(
      `mutation($d: PolicyDefinitionInput!) { createPolicy(input: {name: "sales readers", accessType: READ, definition: $d}) { policy { id } } }`,
      {
        d: {
          restriction: { conditions: { group: group.body.id } },
          scope: { schema: { connectionId: stack.connectionId, database: stack.warehouse, schema: "sales" } },
        },
      },
      stack.governor.auth,
    );
    if (policy.errors) throw new Error(JSON.stringify(policy.errors));
    const role = (await stack.api.testDb.db.user.findUniqueOrThrow({ where: { id: userId } })).username;
    stack.forget(role);

    await probe.connect();
    const hasAccess = async () =>
      (
        await probe.query<{ ok: boolean }>(
          `SELECT COALESCE((SELECT rolcanlogin FROM pg_roles WHERE rolname = $1), false)
              AND has_table_privilege($1, 'sales.orders', 'SELECT') AS ok`,
          [role],
        )
      ).rows[0]!.ok;
    const setActive = async (active: boolean) => {
      const res = await stack.scim("PATCH", `/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: "replace", value: { active } }] });
      if (res.status !== 200 || res.body.active !== active) throw new Error(`SCIM PATCH active=${active}: ${res.status}`);
    };

    await until("the first grant", hasAccess, 60_000);
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Start each run from a quiet system: nothing left in the outbox, every version applied.
      await stack.settled();
      await setActive(false);
      const answered = performance.now();
      await until(`access gone (run ${i})`, async () => !(await hasAccess()));
      latencies.push(performance.now() - answered);
      await setActive(true);
      await until(`access back (run ${i})`, hasAccess);
    }
    const figures = {
      benchmark: "scim-deactivation",
      runs: RUNS,
      p50Ms: Math.round(percentile(latencies, 50)),
      p90Ms: Math.round(percentile(latencies, 90)),
      maxMs: Math.round(Math.max(...latencies)),
      goal: "access gone within 1000 ms of the PATCH answer",
      met: percentile(latencies, 90) <= 1_000,
      cpus: os.cpus().length,
      loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)),
    };
    console.log(
      `SCIM PATCH active:false answer → PostgreSQL access gone: p50 ${figures.p50Ms} ms, p90 ${figures.p90Ms} ms over ${RUNS} runs`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await probe.end().catch(() => {});
    await stack.close();
    await adminQuery(`DROP DATABASE IF EXISTS "${TEMPLATE}" WITH (FORCE)`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
