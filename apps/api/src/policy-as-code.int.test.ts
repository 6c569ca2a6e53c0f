import { systemActor } from "@steward/core";
import { createGroup } from "@steward/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth, startTestApi, type TestApi } from "./testing/api-harness";
import { connectionWithSources } from "./testing/catalog-fixtures";

/**
 * Policies as code through the real API against PostgreSQL: round trip, one transaction for a big
 * file, invalid files change nothing, and who may do what.
 */

let api: TestApi;
let governor: { id: string; username: string; auth: Auth };
let admin: { id: string; username: string; auth: Auth };
let owner: { id: string; username: string; auth: Auth };
let connection: string;
let users: string;
let groups: string;

const PLAN = `query($d: String!) { policyPlan(document: $d) {
  digest changed created updated deleted unchanged gainedCount lostCount
  changes { section name action fields { field before after } } platforms { connection kind statements error } } }`;
const APPLY = `mutation($d: String!, $e: String) { applyPolicies(document: $d, expectedDigest: $e) { digest created updated deleted unchanged } }`;
const EXPORT = `query($f: PolicyDocumentFormat) { exportPolicies(format: $f) }`;

type Plan = {
  digest: string;
  changed: boolean;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  gainedCount: number;
  lostCount: number;
  changes: { section: string; name: string; action: string; fields: { field: string }[] }[];
  platforms: { connection: string; kind: string; statements: string[]; error: string | null }[];
};

const plan = (d: string, auth: Auth = governor.auth) => api.gql<{ policyPlan: Plan }>(PLAN, { d }, auth);
const apply = (d: string, auth: Auth = governor.auth, e?: string) =>
  api.gql<{ applyPolicies: { digest: string; created: number; updated: number; deleted: number; unchanged: number } }>(
    APPLY,
    { d, e },
    auth,
  );
const exportDoc = (f: "YAML" | "JSON" = "YAML", auth: Auth = governor.auth) => api.gql<{ exportPolicies: string }>(EXPORT, { f }, auth);

/** Rows every write touches: if none of these move, nothing was written. */
async function footprint() {
  const db = api.testDb.db;
  const [policies, dataPolicies, purposes, projects, tags, audit, outbox] = await Promise.all([
    db.subscriptionPolicy.count(),
    db.dataPolicy.count(),
    db.purpose.count(),
    db.project.count(),
    db.tag.count(),
    db.auditEvent.count(),
    db.outboxEvent.count(),
  ]);
  return { policies, dataPolicies, purposes, projects, tags, audit, outbox };
}

function fullFile() {
  return `apiVersion: steward/v1
tags:
  - name: PII
    description: Personal data
  - name: PII.Email
purposes:
  - name: Research
    acknowledgement: I use this data for research only.
  - name: Research.Clinical
    acknowledgement: Clinical research under ethics approval.
    parent: Research
dataSources:
  - connection: ${connection}
    name: ${users}
    tags: [PII]
    columns:
      - name: email
        tags: [PII.Email]
projects:
  - name: churn study
    description: Who leaves and why
    purposes: [Research.Clinical]
    dataSources:
      - { connection: ${connection}, name: ${users} }
subscriptionPolicies:
  - name: analysts read PII
    accessType: READ
    restriction:
      kind: conditions
      condition:
        kind: or
        conditions:
          - { kind: group, group: analysts }
          - { kind: purpose, purpose: Research }
    scope: { kind: tag, tag: PII }
  - name: governor reads groups
    accessType: READ
    restriction: { kind: users, users: [${governor.username}] }
    scope:
      kind: sources
      sources:
        - { connection: ${connection}, name: ${groups} }
dataPolicies:
  - name: mask emails
    scope: { kind: sourceTag, tag: PII }
    rule:
      kind: mask
      columns: { kind: tagged, tag: PII.Email }
      mask: { kind: hash }
    except: { kind: group, group: analysts }
connections:
  - name: ${connection}
    description: Steward's own metadata
    autoRegister: false
`;
}

beforeAll(async () => {
  api = await startTestApi();
  governor = await api.userWithRoles(["GOVERNOR"]);
  admin = await api.userWithRoles(["ADMIN"]);
  owner = await api.userWithRoles(["DATA_OWNER"]);
  const fixture = await connectionWithSources(api, ["User", "Group"]);
  const c = await api.testDb.db.connection.findUniqueOrThrow({ where: { id: fixture.connectionId } });
  connection = c.name;
  const sources = await api.testDb.db.dataSource.findMany({ where: { id: { in: fixture.sourceIds } }, include: { catalogNode: true } });
  users = sources.find((s) => s.catalogNode.name === "User")!.name;
  groups = sources.find((s) => s.catalogNode.name === "Group")!.name;
  await createGroup({ db: api.testDb.db }, systemActor("test"), { name: "analysts" });
});

afterAll(async () => {
  await api?.close();
});

describe("policy as code", () => {
  it("plans, applies, and then finds no drift; export → plan and export → apply change nothing", async () => {
    const file = fullFile();
    const first = await plan(file);
    expect(first.errors).toBeUndefined();
    const p = first.data!.policyPlan;
    expect(p.changed).toBe(true);
    expect(p.changes.filter((c) => c.action === "CREATE").map((c) => `${c.section}:${c.name}`)).toEqual(
      expect.arrayContaining([
        "tags:PII",
        "purposes:Research.Clinical",
        "projects:churn study",
        "subscriptionPolicies:analysts read PII",
        "dataPolicies:mask emails",
      ]),
    );
    expect(p.changes.find((c) => c.section === "connections")).toMatchObject({ action: "UPDATE", fields: [{ field: "description" }] });
    // The governor gains READ on Group; the POSTGRES connection's own planner says what it would run.
    expect(p.gainedCount).toBeGreaterThan(0);
    expect(p.platforms.map((x) => x.connection)).toContain(connection);
    // Plan wrote nothing.
    expect((await footprint()).policies).toBe(0);

    // A governor may not change connection settings: the whole file is refused.
    const refused = await apply(file);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await footprint()).policies).toBe(0);

    const both = await api.userWithRoles(["GOVERNOR", "ADMIN"]);
    const before = await footprint();
    const applied = await apply(file, both.auth, p.digest);
    expect(applied.errors).toBeUndefined();
    expect(applied.data!.applyPolicies).toMatchObject({ digest: p.digest, created: p.created, updated: p.updated });
    const after = await footprint();
    expect(after.policies - before.policies).toBe(2);
    expect(after.dataPolicies - before.dataPolicies).toBe(1);
    const audit = await api.testDb.db.auditEvent.findMany({ where: { action: "policies.applied" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetId: p.digest, actorId: both.id });
    const events = await api.testDb.db.outboxEvent.findMany({ where: { id: { gt: 0 } }, select: { type: true } });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "policy.changed",
        "data_policy.changed",
        "purpose.changed",
        "project.changed",
        "data_source.tags_changed",
        "connection.updated",
      ]),
    );

    const again = await plan(file);
    expect(again.data!.policyPlan).toMatchObject({ changed: false, created: 0, updated: 0, deleted: 0 });

    for (const format of ["YAML", "JSON"] as const) {
      const exported = (await exportDoc(format)).data!.exportPolicies;
      const replan = await plan(exported);
      expect(replan.errors).toBeUndefined();
      expect(replan.data!.policyPlan.changed).toBe(false);
      const mark = await footprint();
      const reapplied = await apply(exported, both.auth);
      expect(reapplied.data!.applyPolicies).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      const now = await footprint();
      // Only the apply's own audit row is new: no version, event or object.
      expect({ ...now, audit: now.audit - 1 }).toEqual(mark);
      expect((await exportDoc(format)).data!.exportPolicies).toBe(exported);
    }
    expect((await exportDoc("YAML")).data!.exportPolicies).toContain("name: analysts read PII");
  });

  it("deletes only within the sections a file declares", async () => {
    const only = `apiVersion: steward/v1\nsubscriptionPolicies:\n  - name: governor reads groups\n    accessType: READ\n    restriction: { kind: users, users: [${governor.username}] }\n    scope: { kind: sources, sources: [{ connection: ${connection}, name: ${groups} }] }\n`;
    const p = (await plan(only)).data!.policyPlan;
    expect(p.changes.filter((c) => c.action !== "UNCHANGED")).toEqual([
      expect.objectContaining({ section: "subscriptionPolicies", name: "analysts read PII", action: "DELETE" }),
    ]);
    expect(p.lostCount).toBeGreaterThanOrEqual(0);
  });

  it("refuses a changed file when the expected digest does not match", async () => {
    const res = await apply(fullFile().replace("Personal data", "Personal information"), governor.auth, "0".repeat(64));
    expect(res.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  it("rejects invalid files with the line and field, and writes nothing", async () => {
    const before = await footprint();
    const cases: [string, string, string][] = [
      [fullFile().replace("  - name: PII.Email\n", "  - name: PII.Email\n  - name: PII\n"), "tags[2].name", "duplicate name"],
      [
        fullFile().replace(
          "    accessType: READ\n    restriction:\n      kind: conditions",
          "    accessType: READ\n    colour: red\n    restriction:\n      kind: conditions",
        ),
        "subscriptionPolicies[0].colour",
        "unknown key",
      ],
      [
        fullFile().replace("columns: { kind: tagged, tag: PII.Email }", "columns: { kind: tagged, tag: PII.Phone }"),
        "dataPolicies[0].rule.columns.tag",
        'tag "PII.Phone" does not exist',
      ],
      [
        fullFile().replace(`users: [${governor.username}]`, "users: [nobody-here]"),
        "subscriptionPolicies[1].restriction.users[0]",
        'user "nobody-here" does not exist',
      ],
      [fullFile().replace("- name: email\n", "- name: no_such_column\n"), "dataSources[0].columns[0].name", "does not exist"],
    ];
    for (const [file, path, message] of cases) {
      for (const run of [() => plan(file), () => apply(file)]) {
        const res = await run();
        expect(res.errors?.[0]?.extensions?.code, path).toBe("BAD_USER_INPUT");
        const field = res.errors?.[0]?.extensions?.fields?.[0] as { path: string; message: string; line?: number };
        expect(field.path).toBe(path);
        expect(field.message).toContain(message);
        expect(field.line).toBeGreaterThan(1);
      }
    }
    const nested = `apiVersion: steward/v1\ntags: ${"[".repeat(300_000)}`;
    const deep = await apply(nested);
    expect(deep.errors?.[0]?.extensions?.fields?.[0]).toMatchObject({ line: 2, message: expect.stringContaining("nested deeper") });
    expect(await footprint()).toEqual(before);
  });

  it("applies 500 policies in one transaction, and a late failure leaves nothing behind", async () => {
    const policies = Array.from({ length: 500 }, (_, i) =>
      [
        `  - name: bulk ${String(i).padStart(3, "0")}`,
        "    accessType: READ",
        "    restriction: { kind: conditions, condition: { kind: group, group: analysts } }",
        `    scope: { kind: sources, sources: [{ connection: ${connection}, name: ${i % 2 ? users : groups} }] }`,
      ].join("\n"),
    ).join("\n");
    const big = `apiVersion: steward/v1\nsubscriptionPolicies:\n${policies}\n`;
    // The last section fails in the engine (a WHERE that is not a condition) after 500 policies were written.
    const broken = `${big}dataPolicies:\n  - name: bad rows\n    scope: { kind: all }\n    rule: { kind: rows, rule: { kind: where, sql: "1; DROP TABLE users" } }\n`;
    const before = await footprint();
    const failed = await apply(broken);
    expect(failed.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(failed.errors?.[0]?.extensions?.fields?.[0]).toMatchObject({ path: "dataPolicies[0]", line: 2004 });
    expect(await footprint()).toEqual(before);

    const ok = await apply(big);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.applyPolicies).toMatchObject({ created: 500, deleted: 2 });
    const db = api.testDb.db;
    expect(await db.subscriptionPolicy.count({ where: { deletedAt: null } })).toBe(500);
    expect(await db.outboxEvent.count({ where: { type: "policy.changed" } })).toBe(await db.policyVersion.count());
    const clean = (await plan(big)).data!.policyPlan;
    expect(clean).toMatchObject({ changed: false, unchanged: 500 });
  });

  it("lets only governors and admins plan and export, and works with an API key", async () => {
    const file = `apiVersion: steward/v1\ntags: []\n`;
    expect((await plan(file, owner.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await apply(file, owner.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await exportDoc("YAML", owner.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await plan(file, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // An admin plans and exports but may not change policies.
    expect((await exportDoc("YAML", admin.auth)).errors).toBeUndefined();
    const drop = `apiVersion: steward/v1\nsubscriptionPolicies: []\n`;
    expect((await plan(drop, admin.auth)).data!.policyPlan.deleted).toBe(500);
    expect((await apply(drop, admin.auth)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const key = await api.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: {name: "ci", roles: [GOVERNOR]}) { secret } }`,
      {},
      governor.auth,
    );
    const bearer = { bearer: key.data!.createApiKey.secret };
    expect((await exportDoc("JSON", bearer)).data!.exportPolicies).toContain('"apiVersion": "steward/v1"');
  });
});
