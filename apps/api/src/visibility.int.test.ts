/**
 * Field-level visibility, proven by walking the schema. For each kind of caller, every field
 * reachable from the Query entry points is followed on seeded data (a connection with sync runs,
 * reconcile runs and drift, webhooks, requests, subscriptions) through the real API, and the
 * Type.field pairs that returned data are compared with the allow-list below. A schema field
 * without an allow-list entry fails the test, so a new field must be classified before it ships.
 * Mutations are not walked: their authorisation is the matrix test's job, and whatever object they
 * return is guarded by the same field resolvers walked here.
 */
import { randomBytes } from "node:crypto";
import { createConnection, runSync } from "@steward/catalog";
import { systemActor } from "@steward/core";
import { createApiKey, createGroup } from "@steward/identity";
import { createWebhookEndpoint } from "@steward/webhooks";
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth, startTestApi, type TestApi } from "./testing/api-harness";
import { ALLOWED, type Caller } from "./visibility-allow-list";

const CALLERS: Caller[] = ["ADMIN", "GOVERNOR", "DATA_OWNER", "SOURCE_OWNER", "CONSUMER", "KEY_NO_ROLES"];
const MAX_DEPTH = 6;
/**
 * Entry points that redo expensive work on every call (planning reads the live platform), followed
 * less deep: the types below them are reached through cheaper entry points too.
 */
const ROOT_DEPTH: Record<string, number> = { planPolicyChange: 2, planDataPolicyChange: 2 };
/** How often one edge (Type.field) is followed in total, and at most once per entry point. */
const EDGE_CAP = 3;

let api: TestApi;
/** The schema as a client sees it: introspected through the API. */
type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };
type Field = { name: string; type: TypeRef; args: { name: string; type: TypeRef; defaultValue: string | null }[] };
type ObjectType = { kind: string; name: string; fields: Field[] | null };
let types = new Map<string, ObjectType>();
const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
const typeString = (t: TypeRef): string =>
  t.kind === "NON_NULL" ? `${typeString(t.ofType!)}!` : t.kind === "LIST" ? `[${typeString(t.ofType!)}]` : t.name!;
const isLeaf = (t: TypeRef) => ["SCALAR", "ENUM"].includes(named(t).kind);
const objectType = (t: TypeRef) => (named(t).kind === "OBJECT" ? types.get(named(t).name!) : undefined);
const queryFields = () => types.get("Query")!.fields!;
const auth = new Map<Caller, { id: string; auth: Auth }>();
const seed = {
  connA: "",
  connB: "",
  srcA: "",
  srcB: "",
  runA: "",
  runB: "",
  group: "",
  policy: "",
  dataPolicy: "",
  purpose: "",
  project: "",
  webhook: "",
  consumer: "",
};

type Step = { field: string };
type Node = { root: string; rootArgs: Record<string, unknown>; path: Step[]; type: ObjectType; depth: number };

/** Arguments for entry points that need them; one call per entry. */
function rootArgs(field: string, me: string): Record<string, unknown>[] | undefined {
  const s = seed;
  const table: Record<string, Record<string, unknown>[]> = {
    connection: [{ id: s.connA }, { id: s.connB }],
    syncRun: [{ id: s.runA }, { id: s.runB }],
    catalog: [{ connectionId: s.connA }, { connectionId: s.connB }],
    dataSource: [{ id: s.srcA }, { id: s.srcB }],
    user: [{ id: s.consumer }, { id: me }],
    group: [{ id: s.group }],
    policy: [{ id: s.policy }],
    dataPolicy: [{ id: s.dataPolicy }],
    policyView: [{ dataSourceId: s.srcA }],
    planDataPolicyChange: [{ input: { policyId: s.dataPolicy, delete: true } }],
    // Themselves, and the consumer (an owner of A may see A as them; others are refused).
    previewAs: [
      { userId: me, dataSourceId: s.srcA },
      { userId: s.consumer, dataSourceId: s.srcA },
    ],
    explainDataAccess: [
      { userId: me, dataSourceId: s.srcA },
      { userId: s.consumer, dataSourceId: s.srcA },
    ],
    purpose: [{ id: s.purpose }],
    project: [{ id: s.project }],
    planPolicyChange: [{ input: { policyId: s.policy, delete: true } }],
    policyPlan: [{ document: "apiVersion: steward/v1\n" }],
    explainAccess: [
      { userId: me, dataSourceId: s.srcA },
      { userId: me, dataSourceId: s.srcB },
      { userId: s.consumer, dataSourceId: s.srcB },
    ],
    manualSubscriptions: [{ dataSourceId: s.srcA }, { dataSourceId: s.srcB }],
    webhookEndpoint: [{ id: s.webhook }],
  };
  return table[field];
}

function fieldsOf(type: ObjectType) {
  return (type.fields ?? []).filter((f) => !f.args.some((a) => a.type.kind === "NON_NULL" && a.defaultValue === null));
}

function selectionOf(f: Field): string {
  return isLeaf(f.type) ? f.name : `${f.name} { __typename }`;
}

function buildQuery(node: Node, leaf: string): { query: string; variables: Record<string, unknown> } {
  const rootField = queryFields().find((f) => f.name === node.root)!;
  const defs = rootField.args.filter((a) => a.name in node.rootArgs).map((a) => `$${a.name}: ${typeString(a.type)}`);
  const call = defs.length
    ? `${node.root}(${rootField.args
        .filter((a) => a.name in node.rootArgs)
        .map((a) => `${a.name}: $${a.name}`)
        .join(", ")})`
    : node.root;
  let body = leaf;
  for (const step of [...node.path].reverse()) body = `${step.field} { ${body} }`;
  const inner = node.path.length || !isLeaf(rootField.type) ? `${call} { ${body} }` : call;
  return { query: `query${defs.length ? `(${defs.join(", ")})` : ""} { ${inner} }`, variables: node.rootArgs };
}

/** Values found at `path` below `value`, lists flattened. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (path.length === 0) return [value];
  return valuesAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

function hasData(v: unknown): boolean {
  return v !== null && v !== undefined && !(Array.isArray(v) && !v.some(hasData));
}

/** Walks everything `caller` can reach and returns the Type.field pairs that carried data. */
async function walk(caller: Caller): Promise<{ seen: Set<string>; queries: number }> {
  const who = auth.get(caller)!;
  const seen = new Set<string>();
  const edgeCount = new Map<string, number>();
  const edgeRoots = new Set<string>();
  let queries = 0;
  const run = async (q: { query: string; variables: Record<string, unknown> }) => {
    queries++;
    const res = await api.gql(q.query, q.variables, who.auth);
    if (res.status >= 500) throw new Error(`server error for ${q.query}: ${JSON.stringify(res.errors)}`);
    return res;
  };

  let frontier: Node[] = [];
  const rootNode = types.get("Query")!;
  // Entry points: every Query field (with seeded arguments where it needs some).
  const roots: { field: Field; args: Record<string, unknown> }[] = [];
  for (const f of queryFields()) {
    const needsArgs = f.args.some((a) => a.type.kind === "NON_NULL");
    const sets = rootArgs(f.name, who.id) ?? (needsArgs ? undefined : [{}]);
    if (!sets) throw new Error(`Query.${f.name} needs arguments: add them to rootArgs in visibility.int.test.ts`);
    for (const args of sets) roots.push({ field: f, args });
  }
  await Promise.all(
    roots.map(async ({ field, args }) => {
      const node: Node = { root: field.name, rootArgs: args, path: [], type: rootNode, depth: 0 };
      const res = await run(buildQuery(node, isLeaf(field.type) ? "" : "__typename"));
      const found = valuesAt(res.data, [field.name]);
      if (!found.some(hasData)) return;
      seen.add(`Query.${field.name}`);
      const t = objectType(field.type);
      if (t) frontier.push({ root: field.name, rootArgs: args, path: [], type: t, depth: 1 });
    }),
  );

  while (frontier.length) {
    const next: Node[] = [];
    await Promise.all(
      frontier.map(async (node) => {
        const fields = fieldsOf(node.type);
        const prefix = [node.root, ...node.path.map((s) => s.field)];
        const classify = (f: Field, data: unknown) => {
          const values = valuesAt(data, [...prefix, f.name]);
          if (!values.some(hasData)) return;
          seen.add(`${node.type.name}.${f.name}`);
          const child = objectType(f.type);
          if (!child || node.depth >= (ROOT_DEPTH[node.root] ?? MAX_DEPTH)) return;
          const edge = `${node.type.name}.${f.name}`;
          const perRoot = `${node.root}:${edge}`;
          if (edgeRoots.has(perRoot) || (edgeCount.get(edge) ?? 0) >= EDGE_CAP) return;
          edgeRoots.add(perRoot);
          edgeCount.set(edge, (edgeCount.get(edge) ?? 0) + 1);
          next.push({ ...node, path: [...node.path, { field: f.name }], type: child, depth: node.depth + 1 });
        };
        // All fields at once. A refused field's error nulls its siblings, so drop the refused
        // fields (named by the errors' paths) and ask again for the rest.
        let remaining = fields;
        while (remaining.length) {
          const res = await run(buildQuery(node, remaining.map(selectionOf).join(" ")));
          const refused = new Set(
            (res.errors ?? []).flatMap((e) => {
              const at = (e as { path?: (string | number)[] }).path?.filter((p) => typeof p === "string") ?? [];
              return at.length > prefix.length ? [String(at[prefix.length])] : [];
            }),
          );
          if (res.errors?.length && refused.size === 0) {
            // An error above this node (e.g. a refused root): nothing here carries data.
            return;
          }
          if (refused.size === 0) {
            for (const f of remaining) classify(f, res.data);
            return;
          }
          remaining = remaining.filter((f) => !refused.has(f.name));
        }
      }),
    );
    frontier = next;
  }
  return { seen, queries };
}

beforeAll(async () => {
  api = await startTestApi();
  const db = api.testDb.db;
  const system = systemActor("visibility-seed");
  const admin = await api.userWithRoles(["ADMIN"]);
  const governor = await api.userWithRoles(["GOVERNOR"]);
  const owner = await api.userWithRoles(["DATA_OWNER"]);
  // Owns B's source but is not assigned to B's connection.
  const sourceOwner = await api.userWithRoles(["DATA_OWNER"]);
  const consumer = await api.userWithRoles([]);
  // The sharpest key: its owner holds every role, the key none.
  const keyOwner = await api.userWithRoles(["ADMIN", "GOVERNOR", "DATA_OWNER"]);
  const key = await createApiKey(
    { db },
    { kind: "USER", userId: keyOwner.id, username: keyOwner.username, roles: new Set(["ADMIN", "GOVERNOR", "DATA_OWNER"]) },
    { name: "no roles", roles: [] },
  );
  const introspection = await api.gql<{ __schema: { types: ObjectType[] } }>(getIntrospectionQuery(), {}, admin.auth);
  types = new Map(introspection.data!.__schema.types.map((t) => [t.name, t]));
  auth.set("ADMIN", admin);
  auth.set("GOVERNOR", governor);
  auth.set("DATA_OWNER", owner);
  auth.set("SOURCE_OWNER", sourceOwner);
  auth.set("CONSUMER", consumer);
  auth.set("KEY_NO_ROLES", { id: keyOwner.id, auth: { bearer: key.secret } });
  seed.consumer = consumer.id;

  const config = { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] };
  const connect = async (name: string, owners: string[]) => {
    const { connection, syncRun } = await createConnection(api.deps, system, {
      name,
      kind: "POSTGRES",
      config,
      autoRegister: true,
      dataOwnerIds: owners,
    });
    await runSync(api.deps, syncRun.id);
    const failed = await db.syncRun.create({
      data: { connectionId: connection.id, trigger: "MANUAL", status: "FAILED", error: "password authentication failed for user postgres" },
    });
    await db.reconcileRun.create({
      data: {
        connectionId: connection.id,
        desiredVersion: 1,
        status: "FAILED",
        statementCount: 1,
        statements: [`GRANT SELECT ON TABLE "public"."User" TO "someone_else"`],
        error: "role someone_else does not exist",
        finishedAt: new Date(),
      },
    });
    await db.connectionAccessState.create({
      data: {
        connectionId: connection.id,
        desiredVersion: 1,
        drift: [{ grantee: "carol", privilege: "SELECT" }],
        driftCheckedAt: new Date(),
      },
    });
    const source = await db.dataSource.findFirstOrThrow({ where: { connectionId: connection.id, name: { endsWith: ".public.User" } } });
    return { id: connection.id, runId: failed.id, sourceId: source.id };
  };
  const a = await connect(`vis-a-${randomBytes(3).toString("hex")}`, [owner.id, keyOwner.id]);
  const b = await connect(`vis-b-${randomBytes(3).toString("hex")}`, []);
  Object.assign(seed, { connA: a.id, connB: b.id, srcA: a.sourceId, srcB: b.sourceId, runA: a.runId, runB: b.runId });
  // A query-time connection (written directly: creating one tests a live Trino) with a token, and
  // decisions about the consumer on A and B: the query audit and the decision client are walked too.
  await db.connection.create({
    data: {
      name: `vis-trino-${randomBytes(3).toString("hex")}`,
      kind: "TRINO",
      config: {},
      inboundSecretCiphertext: "x",
      decisionTokenHash: "0".repeat(64),
      decisionTokenIssuedAt: new Date(),
      dataOwners: { create: [{ userId: owner.id }, { userId: keyOwner.id }] },
    },
  });
  await db.decisionRecord.createMany({
    data: [a.id, b.id].map((connectionId) => ({
      connectionId,
      snapshotVersion: 1,
      user: "consumer_pg",
      userId: consumer.id,
      operation: "SelectFromColumns",
      resource: "vis.public.User(email)",
      allowed: false,
      reason: "no policy grants READ",
      policyIds: [],
      queryId: "q",
    })),
  });

  const group = await createGroup({ db }, system, { name: `vis-${randomBytes(3).toString("hex")}` });
  seed.group = group.id;
  await db.groupMembership.create({ data: { groupId: group.id, userId: consumer.id } });
  await db.dataSourceOwner.create({ data: { dataSourceId: a.sourceId, userId: owner.id } });
  // The consumer belongs to a group owning B's source, but without DATA_OWNER that gives no owner powers.
  await db.dataSourceOwner.create({ data: { dataSourceId: b.sourceId, groupId: group.id } });
  await db.dataSourceOwner.create({ data: { dataSourceId: b.sourceId, userId: sourceOwner.id } });
  await db.userAttribute.create({ data: { userId: consumer.id, key: "department", value: "finance" } });
  await db.platformAccount.create({ data: { userId: consumer.id, platform: "POSTGRES", accountName: "consumer_pg" } });

  // Every caller has asked for B's source (a connection none of them is assigned to).
  for (const who of [consumer, owner, sourceOwner, keyOwner, governor, admin]) {
    await db.accessRequest.create({ data: { userId: who.id, dataSourceId: b.sourceId, accessType: "READ", reason: "walk" } });
  }
  await db.accessRequest.create({
    data: {
      userId: consumer.id,
      dataSourceId: a.sourceId,
      accessType: "READ",
      reason: "walk",
      status: "APPROVED",
      decidedById: owner.id,
      decidedAt: new Date(),
    },
  });
  for (const who of [consumer, owner, sourceOwner, keyOwner]) {
    await db.manualSubscription.create({
      data: { userId: who.id, dataSourceId: b.sourceId, accessType: "READ", grantedById: governor.id },
    });
  }
  const policy = await api.gql<{ createPolicy: { policy: { id: string } } }>(
    `mutation($s: [ID!]!) { createPolicy(input: {name: "walk", accessType: READ, definition: {restriction: {anyone: true}, scope: {sources: $s}}}) { policy { id } } }`,
    { s: [a.sourceId] },
    governor.auth,
  );
  seed.policy = policy.data!.createPolicy.policy.id;
  // Two masks on one column: the walk reaches conflicts, views and versions.
  for (const [name, mask] of [
    ["walk mask", { hash: true }],
    ["walk mask 2", { null: true }],
  ] as const) {
    const dp = await api.gql<{ createDataPolicy: { policy: { id: string } } }>(
      `mutation($s: [ID!]!, $n: String!, $m: MaskInput!) { createDataPolicy(input: {name: $n, definition: {scope: {sources: $s}, rule: {mask: {columns: {names: ["username"]}, mask: $m}}}}) { policy { id } } }`,
      { s: [a.sourceId], n: name, m: mask },
      governor.auth,
    );
    seed.dataPolicy = dp.data!.createDataPolicy.policy.id;
  }
  const parent = await db.purpose.create({ data: { name: "walk parent", acknowledgement: "ok" } });
  const purpose = await db.purpose.create({ data: { name: "walk purpose", acknowledgement: "ok", parentId: parent.id } });
  seed.purpose = purpose.id;
  const project = await db.project.create({
    data: {
      name: "walk project",
      ownerId: consumer.id,
      purposes: { create: [{ purposeId: purpose.id }] },
      sources: { create: [{ dataSourceId: a.sourceId }] },
      members: { create: [{ userId: consumer.id, role: "OWNER" }] },
    },
  });
  seed.project = project.id;
  await db.user.update({ where: { id: consumer.id }, data: { currentProjectId: project.id } });

  const { endpoint } = await createWebhookEndpoint(
    api.deps,
    { kind: "USER", userId: admin.id, username: admin.username, roles: new Set(["ADMIN"]) },
    { url: "http://127.0.0.1:9/hook", eventTypes: ["*"] },
  );
  seed.webhook = endpoint.id;
  const event = await db.outboxEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
  const delivery = await db.webhookDelivery.create({
    data: {
      endpointId: endpoint.id,
      eventId: event.id,
      eventType: event.type,
      payload: {},
      status: "FAILED",
      attempts: 1,
      lastError: "refused",
    },
  });
  await db.webhookDeliveryAttempt.create({ data: { deliveryId: delivery.id, error: "connection refused", durationMs: 3 } });
}, 60_000);
afterAll(() => api?.close());

describe("field-level visibility (schema walk)", () => {
  it("classifies every field of every object type", () => {
    const inSchema = [...types.values()]
      .filter((t) => t.kind === "OBJECT" && !t.name.startsWith("__") && t.name !== "Mutation")
      .flatMap((t) => (t.fields ?? []).map((f) => `${t.name}.${f.name}`));
    const missing = inSchema.filter((k) => !(k in ALLOWED));
    const stale = Object.keys(ALLOWED).filter((k) => !inSchema.includes(k));
    expect(missing, "add these fields to visibility-allow-list.ts").toEqual([]);
    expect(stale, "these allow-list entries are no longer in the schema").toEqual([]);
  });

  for (const caller of CALLERS) {
    it(`${caller} sees only what the allow-list grants`, async () => {
      const { seen } = await walk(caller);
      const leaks = [...seen].filter((k) => !ALLOWED[k]?.includes(caller)).sort();
      expect(leaks).toEqual([]);
      // The walk must really reach the seeded data, or an empty result would prove nothing.
      for (const k of REACHED[caller]) expect(seen, `${caller} should reach ${k}`).toContain(k);
    }, 60_000);
  }
});

/** Fields each caller must reach, so a broken seed or walker cannot pass vacuously. */
const REACHED: Record<Caller, string[]> = {
  ADMIN: [
    "DecisionRecord.reason",
    "DecisionRecord.stewardUser",
    "DecisionClientConfig.tokenIssuedAt",
    "Connection.config",
    "ReconcileRun.statements",
    "ConnectionAccessState.drift",
    "SyncRun.error",
    "WebhookDeliveryAttempt.error",
  ],
  GOVERNOR: [
    "ReconcileRun.statements",
    "ConnectionAccessState.drift",
    "SubscriptionPolicy.scope",
    "AccessRequest.reason",
    "DataPolicySourceImpact.changedColumns",
    "DataPreview.rows",
    "ColumnAccessExplanation.reason",
  ],
  DATA_OWNER: [
    "DecisionRecord.reason",
    "DecisionClientConfig.tokenIssuedAt",
    "Connection.config",
    "ReconcileRun.statements",
    "SyncRun.error",
    "AccessRequest.status",
    "Connection.name",
  ],
  SOURCE_OWNER: ["AccessRequest.status", "ManualSubscription.user", "Connection.name", "DataSource.owners"],
  CONSUMER: [
    "AccessRequest.status",
    "DataSource.name",
    "Connection.name",
    "MySubscription.level",
    "DataPreview.rows",
    "ColumnAccessExplanation.reason",
  ],
  KEY_NO_ROLES: ["AccessRequest.status", "DataSource.name", "Connection.name"],
};
