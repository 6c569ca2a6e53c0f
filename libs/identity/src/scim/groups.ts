import type { Actor } from "@steward/core";
import { joinTransaction, type Prisma, type Tx } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import type { IdentityDeps } from "../deps";
import { addGroupMember, createGroup, deleteGroup, removeGroupMember, updateGroup } from "../groups/group-commands";
import { checkIfMatch, pageArgs, requireScimAdmin, type ScimRequest } from "./context";
import { invalidValue, scimNotFound } from "./errors";
import { filterToWhere } from "./filter";
import { applyPatch, parsePatchBody } from "./patch";
import { isRecord, optionalString, requireResourceBody, type ScimResource, withMeta } from "./resource";
import { GROUP_SCHEMA, LIST_SCHEMA, MAX_PAGE_SIZE } from "./schemas";
import { inOneTransaction, type ListQuery } from "./users";

/** Members SCIM sees and manages: provisioned users only; people added in Steward itself stay as they are. */
const GROUP_INCLUDE = {
  members: {
    where: { user: { scimUserName: { not: null } } },
    select: { createdAt: true, user: { select: { id: true, displayName: true } } },
  },
} satisfies Prisma.GroupInclude;
type GroupRow = Prisma.GroupGetPayload<{ include: typeof GROUP_INCLUDE }>;

type DesiredGroup = { displayName: string; externalId: string | null; members: Set<string> };

const UUID = z.uuid();

function parseGroupBody(raw: unknown): DesiredGroup {
  const body = requireResourceBody("Group", raw);
  const displayName = optionalString(body, "displayName", 100);
  if (!displayName) throw invalidValue("'displayName' is required");
  const members = body.members ?? [];
  if (!Array.isArray(members)) throw invalidValue("'members' must be a list");
  const ids = new Set<string>();
  for (const m of members) {
    if (!isRecord(m) || typeof m.value !== "string") throw invalidValue("every member needs a string 'value' (a user id)");
    if (m.type !== undefined && (typeof m.type !== "string" || m.type.toLowerCase() !== "user"))
      throw invalidValue("Steward groups hold users only");
    ids.add(m.value);
  }
  return { displayName, externalId: optionalString(body, "externalId", 255), members: ids };
}

export function toScimGroup(row: GroupRow, baseUrl: string): ScimResource {
  const resource: ScimResource = {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    displayName: row.name,
    members: row.members
      .map((m) => ({ value: m.user.id, display: m.user.displayName, type: "User", $ref: `${baseUrl}/Users/${m.user.id}` }))
      .sort((x, y) => x.value.localeCompare(y.value)),
  };
  const times = [row.updatedAt, ...row.members.map((m) => m.createdAt)];
  return withMeta(resource, "Group", `${baseUrl}/Groups/${row.id}`, row.createdAt, new Date(Math.max(...times.map((t) => t.getTime()))));
}

async function loadRow(tx: Tx, id: string, lock = false): Promise<GroupRow> {
  if (!UUID.safeParse(id).success) throw scimNotFound("Group", id);
  if (lock) await tx.$queryRaw`SELECT 1 FROM "Group" WHERE "id" = ${id}::uuid FOR UPDATE`;
  const row = await tx.group.findUnique({ where: { id }, include: GROUP_INCLUDE });
  if (!row) throw scimNotFound("Group", id);
  return row;
}

async function applyGroup(tx: Tx, actor: Actor, row: GroupRow, want: DesiredGroup) {
  const deps = { db: joinTransaction(tx) };
  if (want.displayName !== row.name) await updateGroup(deps, actor, { id: row.id, name: want.displayName });
  if (want.externalId !== row.externalId) {
    await tx.group.update({ where: { id: row.id }, data: { externalId: want.externalId } });
    await recordAudit(tx, actor, {
      action: "group.scim.linked",
      targetType: "Group",
      targetId: row.id,
      before: { externalId: row.externalId },
      after: { externalId: want.externalId },
    });
  }
  const have = new Set(row.members.map((m) => m.user.id));
  const adding = [...want.members].filter((id) => !have.has(id));
  if (adding.length) {
    const valid = adding.filter((id) => UUID.safeParse(id).success);
    const found = await tx.user.findMany({ where: { id: { in: valid }, scimUserName: { not: null } }, select: { id: true } });
    const known = new Set(found.map((u) => u.id));
    const unknown = adding.filter((id) => !known.has(id));
    if (unknown.length)
      throw invalidValue(
        `No provisioned user with id ${unknown
          .slice(0, 5)
          .map((id) => JSON.stringify(id.slice(0, 80)))
          .join(", ")}`,
      );
  }
  for (const userId of adding.sort()) await addGroupMember(deps, actor, { groupId: row.id, userId });
  for (const userId of [...have].filter((id) => !want.members.has(id)).sort())
    await removeGroupMember(deps, actor, { groupId: row.id, userId });
}

export async function createScimGroup(deps: IdentityDeps, req: ScimRequest, body: unknown): Promise<ScimResource> {
  const actor = requireScimAdmin(req.actor);
  const want = parseGroupBody(body);
  return inOneTransaction(deps, async (tx) => {
    const group = await createGroup({ db: joinTransaction(tx) }, actor, { name: want.displayName });
    await applyGroup(tx, actor, await loadRow(tx, group.id), want);
    return toScimGroup(await loadRow(tx, group.id), req.baseUrl);
  });
}

export async function getScimGroup(deps: IdentityDeps, req: ScimRequest, id: string): Promise<ScimResource> {
  requireScimAdmin(req.actor);
  return toScimGroup(await loadRow(deps.db, id), req.baseUrl);
}

export async function replaceScimGroup(deps: IdentityDeps, req: ScimRequest, id: string, body: unknown, ifMatch?: string) {
  const actor = requireScimAdmin(req.actor);
  return inOneTransaction(deps, async (tx) => {
    const row = await loadRow(tx, id, true);
    checkIfMatch(ifMatch, toScimGroup(row, req.baseUrl).meta?.version as string);
    await applyGroup(tx, actor, row, parseGroupBody(body));
    return toScimGroup(await loadRow(tx, id), req.baseUrl);
  });
}

export async function patchScimGroup(deps: IdentityDeps, req: ScimRequest, id: string, body: unknown, ifMatch?: string) {
  const actor = requireScimAdmin(req.actor);
  return inOneTransaction(deps, async (tx) => {
    const row = await loadRow(tx, id, true);
    const before = toScimGroup(row, req.baseUrl);
    checkIfMatch(ifMatch, before.meta?.version as string);
    const ops = parsePatchBody("Group", body, id);
    const { meta: _meta, ...plain } = before;
    await applyGroup(tx, actor, row, parseGroupBody(applyPatch(plain as ScimResource, ops)));
    return toScimGroup(await loadRow(tx, id), req.baseUrl);
  });
}

export async function deleteScimGroup(deps: IdentityDeps, req: ScimRequest, id: string, ifMatch?: string): Promise<void> {
  const actor = requireScimAdmin(req.actor);
  await inOneTransaction(deps, async (tx) => {
    const row = await loadRow(tx, id, true);
    checkIfMatch(ifMatch, toScimGroup(row, req.baseUrl).meta?.version as string);
    await deleteGroup({ db: joinTransaction(tx) }, actor, { id });
  });
}

export async function listScimGroups(deps: IdentityDeps, req: ScimRequest, q: ListQuery) {
  requireScimAdmin(req.actor);
  const page = pageArgs(q.startIndex, q.count, MAX_PAGE_SIZE);
  const where = q.filter ? filterToWhere("Group", q.filter) : {};
  const [rows, total] = await Promise.all([
    page.take
      ? deps.db.group.findMany({
          where,
          include: GROUP_INCLUDE,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          skip: page.skip,
          take: page.take,
        })
      : [],
    deps.db.group.count({ where }),
  ]);
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex: page.startIndex,
    itemsPerPage: rows.length,
    Resources: rows.map((r) => toScimGroup(r, req.baseUrl)),
  };
}
