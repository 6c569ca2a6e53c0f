import { type Actor, decodeCursor, hasRole, type PageArgs, pageSize, parseInput, toPage } from "@steward/core";
import type { Prisma } from "@steward/db";
import { z } from "zod";
import { canSeeConnection, requireActor } from "./authz";
import type { CatalogDeps } from "./deps";
import { tagName } from "./tags/tag-commands";

/** Connections the actor may see: all for admins/governors, assigned ones for data owners. */
function visibleConnections(actor: Actor): Prisma.ConnectionWhereInput {
  if (hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR")) return { deletedAt: null };
  if (actor.kind === "SYSTEM") return { deletedAt: null };
  // Assignments count only while the actor holds DATA_OWNER (an API key may have dropped it).
  if (!hasRole(actor, "DATA_OWNER")) return { id: { in: [] } };
  return { deletedAt: null, dataOwners: { some: { userId: actor.userId } } };
}

export async function listConnections(deps: CatalogDeps, actor: Actor | null) {
  const a = requireActor(actor);
  return deps.db.connection.findMany({ where: visibleConnections(a), orderBy: { name: "asc" } });
}

export async function getConnection(deps: CatalogDeps, actor: Actor | null, id: string) {
  const a = requireActor(actor);
  if (!z.uuid().safeParse(id).success) return null;
  return deps.db.connection.findFirst({ where: { id, ...visibleConnections(a) } });
}

export async function listSyncRuns(deps: CatalogDeps, actor: Actor | null, connectionId: string, first = 20) {
  const a = requireActor(actor);
  if (!(await canSeeConnection(deps.db, a, connectionId))) return [];
  return deps.db.syncRun.findMany({ where: { connectionId }, orderBy: { requestedAt: "desc" }, take: Math.min(Math.max(first, 1), 100) });
}

export async function getSyncRun(deps: CatalogDeps, actor: Actor | null, id: string) {
  const a = requireActor(actor);
  if (!z.uuid().safeParse(id).success) return null;
  const run = await deps.db.syncRun.findUnique({ where: { id } });
  return run && (await canSeeConnection(deps.db, a, run.connectionId)) ? run : null;
}

/** One level of the catalog tree (lazy browsing), by name. */
export async function browseCatalog(
  deps: CatalogDeps,
  actor: Actor | null,
  connectionId: string,
  parentId: string | null | undefined,
  page: PageArgs & { includeGone?: boolean | null },
) {
  const a = requireActor(actor);
  const ids = parseInput(z.object({ connectionId: z.uuid(), parentId: z.uuid().nullish() }), { connectionId, parentId });
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 1);
  if (!(await canSeeConnection(deps.db, a, ids.connectionId))) return { ...toPage([], size, () => []), totalCount: 0 };
  const where: Prisma.CatalogNodeWhereInput = {
    connectionId: ids.connectionId,
    parentId: ids.parentId ?? null,
    ...(page.includeGone ? {} : { present: true }),
  };
  const [rows, totalCount] = await Promise.all([
    deps.db.catalogNode.findMany({
      where: cursor ? { AND: [where, { name: { gt: String(cursor[0]) } }] } : where,
      orderBy: { name: "asc" },
      take: size + 1,
      include: { dataSource: { select: { id: true, status: true } } },
    }),
    deps.db.catalogNode.count({ where }),
  ]);
  return { ...toPage(rows, size, (n) => [n.name]), totalCount };
}

const SearchFilter = z
  .object({
    search: z.string().trim().max(200).nullish(),
    tag: tagName.nullish(),
    ownerUserId: z.uuid().nullish(),
    connectionId: z.uuid().nullish(),
    status: z.enum(["ACTIVE", "DISABLED"]).nullish(),
  })
  .nullish();

/** Data sources by name, tag (a tag matches its descendants), owner, connection and status. */
export async function searchDataSources(deps: CatalogDeps, actor: Actor | null, filterInput: unknown, page: PageArgs) {
  const a = requireActor(actor);
  const f = parseInput(SearchFilter, filterInput) ?? {};
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 2);
  const tagMatch = f.tag ? { OR: [{ name: f.tag }, { name: { startsWith: `${f.tag}.` } }] } : undefined;
  const where: Prisma.DataSourceWhereInput = {
    connection: visibleConnections(a),
    connectionId: f.connectionId ?? undefined,
    status: f.status ?? undefined,
    name: f.search ? { contains: f.search, mode: "insensitive" } : undefined,
    ...(tagMatch ? { OR: [{ tags: { some: { tag: tagMatch } } }, { columns: { some: { tags: { some: { tag: tagMatch } } } } }] } : {}),
    ...(f.ownerUserId
      ? { owners: { some: { OR: [{ userId: f.ownerUserId }, { group: { members: { some: { userId: f.ownerUserId } } } }] } } }
      : {}),
  };
  const after: Prisma.DataSourceWhereInput | undefined = cursor
    ? { OR: [{ name: { gt: String(cursor[0]) } }, { name: String(cursor[0]), id: { gt: String(cursor[1]) } }] }
    : undefined;
  const [rows, totalCount] = await Promise.all([
    deps.db.dataSource.findMany({
      where: after ? { AND: [where, after] } : where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: size + 1,
    }),
    deps.db.dataSource.count({ where }),
  ]);
  return { ...toPage(rows, size, (d) => [d.name, d.id]), totalCount };
}

export async function getDataSource(deps: CatalogDeps, actor: Actor | null, id: string) {
  const a = requireActor(actor);
  if (!z.uuid().safeParse(id).success) return null;
  return deps.db.dataSource.findFirst({ where: { id, connection: visibleConnections(a) } });
}

export async function listTags(deps: CatalogDeps, actor: Actor | null, search?: string | null) {
  requireActor(actor);
  return deps.db.tag.findMany({
    where: search ? { name: { contains: search.slice(0, 200), mode: "insensitive" } } : {},
    orderBy: { name: "asc" },
    take: 500,
  });
}
