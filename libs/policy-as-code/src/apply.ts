import { randomUUID } from "node:crypto";
import {
  insertDataPolicy,
  insertPolicy,
  loadDataPolicyInput,
  loadPolicySnapshot,
  replaceDataPolicy,
  replacePolicy,
  requireGovernor,
  requirePolicyReader,
  softDeleteDataPolicy,
  softDeletePolicy,
} from "@steward/access";
import { requireConnectionAdmin } from "@steward/catalog";
import { type Actor, AppError, actorUserId, type FieldIssue } from "@steward/core";
import type { Tx } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { type DataPolicyDefinition, validateDataPolicy, validatePolicy } from "@steward/policy";
import { diffDocument, type ObjectChange } from "./diff";
import type { DocDataPolicy, DocDataSourceTags, DocProject, DocPurpose, DocSubscriptionPolicy } from "./document";
import { loadLiveState } from "./live-state";
import { documentError, issueAt, type ParsedDocument, type PathSegment } from "./parse";
import { checkReferences, type Ids, loadIds, sourceIdOf, toEngineCondition, toEngineRestriction, toEngineScope } from "./references";

/**
 * Applies a checked file in the caller's transaction: every write of every section, their outbox
 * events, the per-object audit rows the use-cases write, and one `policies.applied` audit row with
 * the file's digest. Any error throws, so the caller's transaction rolls everything back.
 */

export type ApplySummary = { changes: ObjectChange[]; created: number; updated: number; deleted: number; unchanged: number };

/** Serialises applies (and their dry runs) against each other. */
const APPLY_LOCK = "steward.policy-as-code.apply";

const count = (changes: ObjectChange[], action: ObjectChange["action"]) => changes.filter((c) => c.action === action).length;
const changed = (c: ObjectChange) => c.action !== "UNCHANGED";

/**
 * The use-cases' own rules: governors write policies, purposes, projects and tags; connection settings
 * need what the UI needs (ADMIN). A file that changes nothing still needs one of those roles.
 */
export function authorizeChanges(actor: Actor | null, changes: readonly ObjectChange[]): Actor {
  const real = changes.filter(changed);
  let a = requirePolicyReader(actor);
  if (real.some((c) => c.section === "connections")) a = requireConnectionAdmin(a);
  if (real.some((c) => c.section !== "connections")) a = requireGovernor(a);
  return a;
}

/** Engine validation errors carry the engine's own paths; they are reported under the object's line. */
function engineIssues(err: unknown, locate: ParsedDocument["locate"], path: PathSegment[]): FieldIssue[] {
  if (!(err instanceof AppError) || err.code !== "BAD_USER_INPUT") throw err;
  const list = err.fields.length > 0 ? err.fields : [{ path: "", message: err.userMessage }];
  return list.map((f) => issueAt(locate, path, f.path ? `${f.path}: ${f.message}` : f.message));
}

/** `authorize: false` is for the plan's dry run (always rolled back): reading is enough to see a plan. */
export async function applyDocument(
  tx: Tx,
  actor: Actor | null,
  parsed: ParsedDocument,
  opts: { authorize?: boolean } = {},
): Promise<ApplySummary> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${APPLY_LOCK}))`;
  const doc = parsed.document;
  const live = await loadLiveState(tx);
  const changes = diffDocument(doc, live);
  const a = opts.authorize === false ? requirePolicyReader(actor) : authorizeChanges(actor, changes);
  let ids = await loadIds(tx);
  const refIssues = await checkReferences(tx, doc, live, ids, parsed.locate);
  if (refIssues.length > 0) throw documentError(refIssues);

  const of = (section: ObjectChange["section"]) => changes.filter((c) => c.section === section && changed(c));

  // 1. Tags (creations and descriptions; removals come last, once nothing uses them).
  for (const c of of("tags")) {
    const description = (c.after?.description as string | undefined) ?? "";
    if (c.action === "CREATE") await tx.tag.create({ data: { name: c.name, description } });
    if (c.action === "UPDATE") await tx.tag.update({ where: { name: c.name }, data: { description } });
  }

  // 2. Purposes, parents before children.
  const purposeChanges = of("purposes").filter((c) => c.action !== "DELETE");
  const parentOf = new Map((doc.purposes ?? []).map((p) => [p.name, p.parent]));
  const depth = (name: string) => {
    let d = 0;
    for (let at = parentOf.get(name); at; at = parentOf.get(at)) d++;
    return d;
  };
  for (const c of purposeChanges.sort((x, y) => depth(x.name) - depth(y.name))) {
    await writePurpose(tx, a, doc.purposes?.[c.index as number] as DocPurpose, ids);
    ids = await loadIds(tx);
  }

  // 3. Tags on sources and columns.
  for (const c of of("dataSources")) await writeSourceTags(tx, a, c, ids);

  // 4. Projects.
  for (const c of of("projects")) {
    if (c.action !== "DELETE") await writeProject(tx, a, doc.projects?.[c.index as number] as DocProject, ids);
  }

  // 5. Subscription policies, validated by the engine against the catalog as it now stands.
  const issues: FieldIssue[] = [];
  const subChanges = of("subscriptionPolicies").filter((c) => c.action !== "DELETE");
  if (subChanges.length > 0) {
    const [snapshot, keys, groups] = await Promise.all([
      loadPolicySnapshot(tx, { policies: [] }),
      tx.userAttribute.findMany({ distinct: ["key"], select: { key: true } }),
      tx.group.findMany({ select: { id: true } }),
    ]);
    const ctx = {
      attributeKeys: keys.map((k) => ({ key: k.key, multiValued: true })),
      sources: snapshot.sources,
      userIds: snapshot.users.map((u) => u.id),
      groupIds: groups.map((g) => g.id),
      purposeIds: [...ids.purposes.values()],
    };
    for (const c of subChanges) {
      const i = c.index as number;
      const p = doc.subscriptionPolicies?.[i] as DocSubscriptionPolicy;
      const before = await tx.subscriptionPolicy.findUnique({ where: { name: p.name } });
      try {
        const { policy } = validatePolicy(
          {
            id: before?.id ?? randomUUID(),
            name: p.name,
            accessType: p.accessType,
            restriction: toEngineRestriction(p.restriction, ids),
            scope: toEngineScope(p.scope, ids),
          },
          ctx,
        );
        const fields = {
          name: p.name,
          description: p.description ?? "",
          accessType: p.accessType,
          definition: { restriction: policy.restriction, scope: policy.scope },
        };
        if (before) await replacePolicy(tx, a, before, fields);
        else await insertPolicy(tx, a, policy.id, fields);
      } catch (err) {
        issues.push(...engineIssues(err, parsed.locate, ["subscriptionPolicies", i]));
      }
    }
  }

  // 6. Data policies.
  const dataChanges = of("dataPolicies").filter((c) => c.action !== "DELETE");
  if (dataChanges.length > 0) {
    const [facts, keys] = await Promise.all([
      loadDataPolicyInput(tx),
      tx.userAttribute.findMany({ distinct: ["key"], select: { key: true } }),
    ]);
    const ctx = {
      sources: facts.sources,
      attributeKeys: keys.map((k) => k.key),
      groupIds: [...ids.groups.values()],
      purposeIds: [...ids.purposes.values()],
    };
    for (const c of dataChanges) {
      const i = c.index as number;
      const p = doc.dataPolicies?.[i] as DocDataPolicy;
      try {
        const { definition } = validateDataPolicy(engineDataDefinition(p, ids), ctx);
        const before = await tx.dataPolicy.findUnique({ where: { name: p.name } });
        const fields = { name: p.name, description: p.description ?? "", definition };
        if (before) await replaceDataPolicy(tx, a, before, fields);
        else await insertDataPolicy(tx, a, fields);
      } catch (err) {
        issues.push(...engineIssues(err, parsed.locate, ["dataPolicies", i]));
      }
    }
  }
  if (issues.length > 0) throw documentError(issues);

  // 7. Connection settings (never created or deleted here).
  for (const c of of("connections")) await writeConnectionSettings(tx, a, c);

  // 8. Deletions, dependants first.
  for (const c of of("dataPolicies").filter((x) => x.action === "DELETE")) {
    await softDeleteDataPolicy(tx, a, await tx.dataPolicy.findUniqueOrThrow({ where: { name: c.name } }));
  }
  for (const c of of("subscriptionPolicies").filter((x) => x.action === "DELETE")) {
    await softDeletePolicy(tx, a, await tx.subscriptionPolicy.findUniqueOrThrow({ where: { name: c.name } }));
  }
  for (const c of of("projects").filter((x) => x.action === "DELETE")) await archiveProject(tx, a, c.name);
  const purposeDeletes = of("purposes").filter((x) => x.action === "DELETE");
  await deletePurposes(
    tx,
    a,
    purposeDeletes.map((c) => c.name),
    parsed,
  );
  await deleteTags(
    tx,
    of("tags")
      .filter((x) => x.action === "DELETE")
      .map((c) => c.name),
    parsed,
  );

  const summary = {
    created: count(changes, "CREATE"),
    updated: count(changes, "UPDATE"),
    deleted: count(changes, "DELETE"),
    unchanged: count(changes, "UNCHANGED"),
  };
  await recordAudit(tx, a, {
    action: "policies.applied",
    targetType: "PolicyDocument",
    targetId: parsed.digest,
    after: {
      digest: parsed.digest,
      ...summary,
      changes: changes
        .filter(changed)
        .map((c) => ({ section: c.section, name: c.name, action: c.action, fields: c.fields.map((f) => f.field) })),
    },
  });
  return { changes, ...summary };
}

function engineDataDefinition(p: DocDataPolicy, ids: Ids): DataPolicyDefinition {
  return {
    scope: toEngineScope(p.scope, ids) as DataPolicyDefinition["scope"],
    rule: p.rule,
    ...(p.except ? { except: toEngineCondition(p.except, ids) } : {}),
  };
}

async function writePurpose(tx: Tx, actor: Actor, p: DocPurpose, ids: Ids) {
  const parentId = p.parent ? (ids.purposes.get(p.parent) ?? null) : null;
  const before = await tx.purpose.findFirst({ where: { name: p.name, deletedAt: null } });
  const next = { name: p.name, description: p.description ?? "", acknowledgement: p.acknowledgement, parentId };
  const purpose = before
    ? await tx.purpose.update({
        where: { id: before.id },
        data: {
          ...next,
          acknowledgementVersion: before.acknowledgementVersion + (next.acknowledgement === before.acknowledgement ? 0 : 1),
        },
      })
    : await tx.purpose.create({ data: { ...next, createdById: actorUserId(actor) } });
  await recordAudit(tx, actor, {
    action: before ? "purpose.updated" : "purpose.created",
    targetType: "Purpose",
    targetId: purpose.id,
    ...(before ? { before: { ...next, ...pick(before) } } : {}),
    after: { ...next, acknowledgementVersion: purpose.acknowledgementVersion },
  });
  await emitEvent(tx, { type: "purpose.changed", aggregateType: "Purpose", aggregateId: purpose.id, payload: { purposeId: purpose.id } });
}

const pick = (p: {
  name: string;
  description: string;
  acknowledgement: string;
  parentId: string | null;
  acknowledgementVersion: number;
}) => ({
  name: p.name,
  description: p.description,
  acknowledgement: p.acknowledgement,
  parentId: p.parentId,
  acknowledgementVersion: p.acknowledgementVersion,
});

async function writeSourceTags(tx: Tx, actor: Actor, c: ObjectChange, ids: Ids) {
  const target = (c.after ?? { tags: [], columns: [] }) as Required<Pick<DocDataSourceTags, "tags" | "columns">>;
  const ref = {
    connection: ((c.after ?? c.before) as DocDataSourceTags).connection,
    name: ((c.after ?? c.before) as DocDataSourceTags).name,
  };
  const sourceId = sourceIdOf(ref, ids);
  const source = await tx.dataSource.findUniqueOrThrow({
    where: { id: sourceId },
    select: {
      id: true,
      connectionId: true,
      tags: { where: { source: "MANUAL" }, select: { tagId: true, tag: { select: { name: true } } } },
      columns: {
        select: { id: true, name: true, tags: { where: { source: "MANUAL" }, select: { tagId: true, tag: { select: { name: true } } } } },
      },
    },
  });
  const tagIds = new Map((await tx.tag.findMany({ select: { id: true, name: true } })).map((t) => [t.name, t.id]));
  const want = new Set(target.tags);
  await tx.dataSourceTag.deleteMany({ where: { dataSourceId: sourceId, source: "MANUAL", tag: { name: { notIn: [...want] } } } });
  await tx.dataSourceTag.createMany({
    data: [...want].map((t) => ({ dataSourceId: sourceId, tagId: tagIds.get(t) as string })),
    skipDuplicates: true,
  });
  const wantCols = new Map(target.columns.map((col) => [col.name, new Set(col.tags)]));
  for (const col of source.columns) {
    const tags = wantCols.get(col.name) ?? new Set<string>();
    const have = new Set(col.tags.map((t) => t.tag.name));
    if ([...tags].every((t) => have.has(t)) && [...have].every((t) => tags.has(t))) continue;
    await tx.columnTag.deleteMany({ where: { columnId: col.id, source: "MANUAL", tag: { name: { notIn: [...tags] } } } });
    await tx.columnTag.createMany({
      data: [...tags].map((t) => ({ columnId: col.id, tagId: tagIds.get(t) as string })),
      skipDuplicates: true,
    });
  }
  await recordAudit(tx, actor, {
    action: "data_source.tags_set",
    targetType: "DataSource",
    targetId: sourceId,
    before: c.before ? { tags: c.before.tags, columns: c.before.columns } : undefined,
    after: { tags: target.tags, columns: target.columns },
  });
  await emitEvent(tx, {
    type: "data_source.tags_changed",
    aggregateType: "DataSource",
    aggregateId: sourceId,
    payload: { connectionId: source.connectionId, dataSourceId: sourceId },
  });
}

async function projectChanged(tx: Tx, projectId: string, sourcesChanged: boolean) {
  const acting = (await tx.user.findMany({ where: { currentProjectId: projectId }, select: { id: true } })).map((u) => u.id);
  await emitEvent(tx, {
    type: "project.changed",
    aggregateType: "Project",
    aggregateId: projectId,
    payload: { projectId, actingUserIds: acting, sourcesChanged },
  });
}

async function writeProject(tx: Tx, actor: Actor, p: DocProject, ids: Ids) {
  const purposeIds = [...new Set((p.purposes ?? []).map((n) => ids.purposes.get(n) as string))].sort();
  const dataSourceIds = [...new Set((p.dataSources ?? []).map((r) => sourceIdOf(r, ids)))].sort();
  const before = await tx.project.findUnique({
    where: { name: p.name },
    include: { purposes: { select: { purposeId: true } }, sources: { select: { dataSourceId: true } } },
  });
  if (before && before.status !== "ACTIVE")
    throw new AppError("CONFLICT", `Project "${p.name}" is archived; choose another name or unarchive it first`);
  const userId = actorUserId(actor);
  const project = before
    ? await tx.project.update({ where: { id: before.id }, data: { description: p.description ?? "" } })
    : await tx.project.create({
        data: {
          name: p.name,
          description: p.description ?? "",
          ownerId: userId,
          createdById: userId,
          ...(userId ? { members: { create: [{ userId, role: "OWNER" as const }] } } : {}),
        },
      });
  await tx.projectPurpose.deleteMany({ where: { projectId: project.id, purposeId: { notIn: purposeIds } } });
  await tx.projectPurpose.createMany({ data: purposeIds.map((purposeId) => ({ projectId: project.id, purposeId })), skipDuplicates: true });
  await tx.projectDataSource.deleteMany({ where: { projectId: project.id, dataSourceId: { notIn: dataSourceIds } } });
  await tx.projectDataSource.createMany({
    data: dataSourceIds.map((dataSourceId) => ({ projectId: project.id, dataSourceId })),
    skipDuplicates: true,
  });
  const prevSources = (before?.sources ?? []).map((s) => s.dataSourceId).sort();
  await recordAudit(tx, actor, {
    action: before ? "project.updated" : "project.created",
    targetType: "Project",
    targetId: project.id,
    ...(before
      ? {
          before: {
            name: before.name,
            description: before.description,
            purposeIds: before.purposes.map((x) => x.purposeId).sort(),
            dataSourceIds: prevSources,
          },
        }
      : {}),
    after: { name: project.name, description: project.description, purposeIds, dataSourceIds },
  });
  await projectChanged(tx, project.id, prevSources.join() !== dataSourceIds.join());
}

async function archiveProject(tx: Tx, actor: Actor, name: string) {
  const project = await tx.project.findUniqueOrThrow({ where: { name } });
  const acting = (await tx.user.findMany({ where: { currentProjectId: project.id }, select: { id: true } })).map((u) => u.id);
  await tx.project.update({ where: { id: project.id }, data: { status: "ARCHIVED" } });
  await tx.user.updateMany({ where: { currentProjectId: project.id }, data: { currentProjectId: null } });
  await recordAudit(tx, actor, {
    action: "project.archived",
    targetType: "Project",
    targetId: project.id,
    before: { status: project.status },
  });
  await emitEvent(tx, {
    type: "project.changed",
    aggregateType: "Project",
    aggregateId: project.id,
    payload: { projectId: project.id, actingUserIds: acting, sourcesChanged: false },
  });
}

async function deletePurposes(tx: Tx, actor: Actor, names: string[], parsed: ParsedDocument) {
  const rows = await tx.purpose.findMany({ where: { name: { in: names }, deletedAt: null } });
  const issues: FieldIssue[] = [];
  // Children first: a parent can go once its sub-purposes have.
  const depthOf = new Map<string, number>();
  const all = await tx.purpose.findMany({ where: { deletedAt: null }, select: { id: true, parentId: true } });
  const parent = new Map(all.map((p) => [p.id, p.parentId]));
  for (const r of rows) {
    let d = 0;
    for (let at = parent.get(r.id); at; at = parent.get(at)) d++;
    depthOf.set(r.id, d);
  }
  for (const r of rows.sort((x, y) => (depthOf.get(y.id) ?? 0) - (depthOf.get(x.id) ?? 0))) {
    const [children, projects] = await Promise.all([
      tx.purpose.count({ where: { parentId: r.id, deletedAt: null } }),
      tx.projectPurpose.count({ where: { purposeId: r.id, project: { status: "ACTIVE" } } }),
    ]);
    if (children > 0 || projects > 0) {
      issues.push(
        issueAt(
          parsed.locate,
          ["purposes"],
          `purpose "${r.name}" is left out of the file but ${children > 0 ? "has live sub-purposes" : "active projects are bound to it"}`,
        ),
      );
      continue;
    }
    await tx.purpose.update({ where: { id: r.id }, data: { deletedAt: new Date(), name: `${r.name} (deleted ${r.id.slice(0, 8)})` } });
    await recordAudit(tx, actor, { action: "purpose.deleted", targetType: "Purpose", targetId: r.id, before: pick(r) });
    await emitEvent(tx, { type: "purpose.changed", aggregateType: "Purpose", aggregateId: r.id, payload: { purposeId: r.id } });
  }
  if (issues.length > 0) throw documentError(issues);
}

/** A tag left out of a file's `tags` section goes only if no source or column carries it any more. */
async function deleteTags(tx: Tx, names: string[], parsed: ParsedDocument) {
  if (names.length === 0) return;
  const tags = await tx.tag.findMany({
    where: { name: { in: names } },
    select: { id: true, name: true, _count: { select: { dataSources: true, columns: true } } },
  });
  const used = tags.filter((t) => t._count.dataSources + t._count.columns > 0);
  if (used.length > 0)
    throw documentError(
      used.map((t) =>
        issueAt(
          parsed.locate,
          ["tags"],
          `tag "${t.name}" is left out of the file but ${t._count.dataSources + t._count.columns} sources or columns still carry it`,
        ),
      ),
    );
  await tx.tag.deleteMany({ where: { id: { in: tags.map((t) => t.id) } } });
}

async function writeConnectionSettings(tx: Tx, actor: Actor, c: ObjectChange) {
  const before = await tx.connection.findFirstOrThrow({ where: { name: c.name, deletedAt: null } });
  const after = c.after as { description: string; syncIntervalMinutes: number | null; autoRegister: boolean };
  const connection = await tx.connection.update({
    where: { id: before.id },
    data: {
      description: after.description,
      syncIntervalMinutes: after.syncIntervalMinutes,
      nextSyncAt: after.syncIntervalMinutes ? new Date(Date.now() + after.syncIntervalMinutes * 60_000) : null,
      autoRegister: after.autoRegister,
    },
  });
  await recordAudit(tx, actor, {
    action: "connection.updated",
    targetType: "Connection",
    targetId: connection.id,
    before: { description: before.description, syncIntervalMinutes: before.syncIntervalMinutes, autoRegister: before.autoRegister },
    after: {
      description: connection.description,
      syncIntervalMinutes: connection.syncIntervalMinutes,
      autoRegister: connection.autoRegister,
    },
  });
  await emitEvent(tx, {
    type: "connection.updated",
    aggregateType: "Connection",
    aggregateId: connection.id,
    payload: { connectionId: connection.id },
  });
}
