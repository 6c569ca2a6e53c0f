import pg from "pg";
import { systemActor } from "@steward/core";
import { createConnection } from "./connections/connection-commands";
import type { CatalogDeps } from "./deps";
import { runSync } from "./sync/run-sync";
import { tagColumn, tagDataSource } from "./tags/tag-commands";

export const DEMO_CONNECTION_NAME = "Demo warehouse";

// A small but realistic warehouse: customers with emails and phone numbers, orders, HR salaries,
// product events with timestamps. Statements are fixed text (no user input).
const DDL = `
CREATE SCHEMA IF NOT EXISTS crm;
CREATE SCHEMA IF NOT EXISTS sales;
CREATE SCHEMA IF NOT EXISTS hr;
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE TABLE IF NOT EXISTS crm.customers (id bigint PRIMARY KEY, full_name text NOT NULL, email text NOT NULL, phone text, country char(2) NOT NULL, region text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS crm.addresses (id bigint PRIMARY KEY, customer_id bigint NOT NULL, street text, city text, postal_code text, country char(2));
CREATE TABLE IF NOT EXISTS crm.contacts (id bigint PRIMARY KEY, customer_id bigint NOT NULL, channel text NOT NULL, value text NOT NULL, opted_in boolean NOT NULL DEFAULT false);
CREATE TABLE IF NOT EXISTS crm.segments (id int PRIMARY KEY, name text NOT NULL, description text);
CREATE TABLE IF NOT EXISTS crm.customer_segments (customer_id bigint NOT NULL, segment_id int NOT NULL, PRIMARY KEY (customer_id, segment_id));
CREATE TABLE IF NOT EXISTS sales.products (id int PRIMARY KEY, sku text NOT NULL, name text NOT NULL, category text, list_price numeric(10,2) NOT NULL);
CREATE TABLE IF NOT EXISTS sales.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, ordered_at timestamptz NOT NULL, status text NOT NULL, region text NOT NULL, total numeric(12,2) NOT NULL);
CREATE TABLE IF NOT EXISTS sales.order_items (order_id bigint NOT NULL, line int NOT NULL, product_id int NOT NULL, quantity int NOT NULL, unit_price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line));
CREATE TABLE IF NOT EXISTS sales.payments (id bigint PRIMARY KEY, order_id bigint NOT NULL, method text NOT NULL, card_last4 char(4), amount numeric(12,2) NOT NULL, paid_at timestamptz);
CREATE TABLE IF NOT EXISTS sales.refunds (id bigint PRIMARY KEY, payment_id bigint NOT NULL, amount numeric(12,2) NOT NULL, reason text, refunded_at timestamptz);
CREATE OR REPLACE VIEW sales.daily_revenue AS SELECT date_trunc('day', ordered_at) AS day, region, sum(total) AS revenue FROM sales.orders GROUP BY 1, 2;
CREATE TABLE IF NOT EXISTS hr.employees (id int PRIMARY KEY, full_name text NOT NULL, email text NOT NULL, department text NOT NULL, manager_id int, hired_on date NOT NULL, country char(2) NOT NULL);
CREATE TABLE IF NOT EXISTS hr.salaries (employee_id int NOT NULL, effective_from date NOT NULL, base_salary numeric(12,2) NOT NULL, bonus numeric(12,2), currency char(3) NOT NULL, PRIMARY KEY (employee_id, effective_from));
CREATE TABLE IF NOT EXISTS hr.departments (id int PRIMARY KEY, name text NOT NULL, cost_center text NOT NULL);
CREATE TABLE IF NOT EXISTS hr.reviews (id bigint PRIMARY KEY, employee_id int NOT NULL, period text NOT NULL, rating int NOT NULL, comments text);
CREATE TABLE IF NOT EXISTS hr.absences (id bigint PRIMARY KEY, employee_id int NOT NULL, kind text NOT NULL, starts_on date NOT NULL, ends_on date NOT NULL);
CREATE TABLE IF NOT EXISTS analytics.events (id bigint, user_id bigint, event_type text NOT NULL, occurred_at timestamptz NOT NULL, properties jsonb) PARTITION BY RANGE (occurred_at);
CREATE TABLE IF NOT EXISTS analytics.events_2026 PARTITION OF analytics.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE IF NOT EXISTS analytics.sessions (id uuid PRIMARY KEY, user_id bigint, started_at timestamptz NOT NULL, ended_at timestamptz, device text, ip_address inet);
CREATE TABLE IF NOT EXISTS analytics.page_views (id bigint PRIMARY KEY, session_id uuid NOT NULL, url text NOT NULL, viewed_at timestamptz NOT NULL);
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.daily_active_users AS SELECT date_trunc('day', occurred_at) AS day, count(DISTINCT user_id) AS users FROM analytics.events GROUP BY 1;
INSERT INTO crm.customers (id, full_name, email, phone, country, region) SELECT g, 'Customer ' || g, 'customer' || g || '@example.com', '+1-555-' || lpad(g::text, 4, '0'), CASE WHEN g % 2 = 0 THEN 'DE' ELSE 'US' END, CASE WHEN g % 2 = 0 THEN 'EU' ELSE 'US' END FROM generate_series(1, 200) g ON CONFLICT DO NOTHING;
INSERT INTO sales.orders (id, customer_id, ordered_at, status, region, total) SELECT g, 1 + g % 200, now() - (g || ' hours')::interval, 'PAID', CASE WHEN g % 2 = 0 THEN 'EU' ELSE 'US' END, (g % 97) * 3.5 FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING;
INSERT INTO hr.employees (id, full_name, email, department, hired_on, country) SELECT g, 'Employee ' || g, 'employee' || g || '@example.com', (ARRAY['engineering','finance','hr','marketing'])[1 + g % 4], date '2020-01-01' + g, 'US' FROM generate_series(1, 50) g ON CONFLICT DO NOTHING;
INSERT INTO hr.salaries (employee_id, effective_from, base_salary, currency) SELECT g, date '2026-01-01', 50000 + g * 1000, 'USD' FROM generate_series(1, 50) g ON CONFLICT DO NOTHING;
`;

const COLUMN_TAGS: [string, string, string][] = [
  ["demo.crm.customers", "email", "PII.Email"],
  ["demo.crm.customers", "phone", "PII.Phone"],
  ["demo.crm.customers", "full_name", "PII.Name"],
  ["demo.hr.employees", "email", "PII.Email"],
  ["demo.hr.salaries", "base_salary", "Sensitive.Compensation"],
  ["demo.sales.payments", "card_last4", "PCI.CardNumber"],
];
const SOURCE_TAGS: [string, string][] = [
  ["demo.hr.salaries", "Department.HR"],
  ["demo.hr.employees", "Department.HR"],
  ["demo.sales.orders", "Department.Finance"],
];

/** Creates the demo warehouse database on the same server (idempotent). */
export async function createDemoWarehouse(adminUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(DDL);
  } finally {
    await client.end();
  }
}

/**
 * Seeds the demo warehouse and registers it as a connection with every object registered and a few
 * PII tags, so a newcomer sees governed data at once. Skipped when the connection already exists.
 */
export async function seedDemoWarehouse(
  deps: CatalogDeps,
  databaseUrl: string,
  opts: { dataOwnerUsernames?: string[] } = {},
): Promise<{ seeded: boolean; dataSources: number }> {
  if (await deps.db.connection.findFirst({ where: { name: DEMO_CONNECTION_NAME } })) return { seeded: false, dataSources: 0 };
  const url = new URL(databaseUrl);
  const database = `${decodeURIComponent(url.pathname.slice(1))}_demo_warehouse`;
  await createDemoWarehouse(databaseUrl, database);
  const actor = systemActor("demo-seed");
  const owners = await deps.db.user.findMany({ where: { username: { in: opts.dataOwnerUsernames ?? [] } }, select: { id: true } });
  const { syncRun } = await createConnection(deps, actor, {
    name: DEMO_CONNECTION_NAME,
    kind: "POSTGRES",
    description: "Sample warehouse on the local PostgreSQL: CRM, sales, HR and product analytics",
    config: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username) || "postgres",
      databases: [database],
    },
    credentials: { password: decodeURIComponent(url.password) },
    autoRegister: true,
    syncIntervalMinutes: 60,
    dataOwnerIds: owners.map((o) => o.id),
  });
  // Sync inline so the demo is complete at start-up; the worker then finds this run done.
  const outcome = await runSync(deps, syncRun.id);
  const byName = new Map(
    (await deps.db.dataSource.findMany({ where: { connectionId: syncRun.connectionId } })).map((d) => [
      d.name.replace(database, "demo"),
      d.id,
    ]),
  );
  for (const [source, column, tag] of COLUMN_TAGS) {
    const id = byName.get(source);
    if (id) await tagColumn(deps, actor, { dataSourceId: id, column, tag }, true);
  }
  for (const [source, tag] of SOURCE_TAGS) {
    const id = byName.get(source);
    if (id) await tagDataSource(deps, actor, { dataSourceId: id, tag }, true);
  }
  return { seeded: true, dataSources: outcome.registered };
}
