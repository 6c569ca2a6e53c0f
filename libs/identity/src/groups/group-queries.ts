import { type Actor, decodeCursor, type PageArgs, pageSize, toPage } from "@steward/core";
import type { Prisma } from "@steward/db";
import { z } from "zod";
import { requireUserReader } from "../authz";
import type { IdentityDeps } from "../deps";

export async function listGroups(deps: IdentityDeps, actor: Actor | null, search: string | null | undefined, page: PageArgs) {
  requireUserReader(actor);
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 1);
  const term = search?.trim().slice(0, 200);
  const where: Prisma.GroupWhereInput = term ? { name: { contains: term, mode: "insensitive" } } : {};
  const [rows, totalCount] = await Promise.all([
    deps.db.group.findMany({
      where: cursor ? { AND: [where, { name: { gt: String(cursor[0]) } }] } : where,
      orderBy: { name: "asc" },
      take: size + 1,
    }),
    deps.db.group.count({ where }),
  ]);
  return { ...toPage(rows, size, (g) => [g.name]), totalCount };
}

export async function getGroup(deps: IdentityDeps, actor: Actor | null, id: string) {
  requireUserReader(actor);
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) return null;
  return deps.db.group.findUnique({ where: { id: parsed.data } });
}

/** Members of a group, ordered by username. */
export async function listGroupMembers(deps: IdentityDeps, actor: Actor | null, groupId: string, page: PageArgs) {
  requireUserReader(actor);
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 1);
  const where: Prisma.UserWhereInput = { memberships: { some: { groupId } } };
  const [rows, totalCount] = await Promise.all([
    deps.db.user.findMany({
      where: cursor ? { AND: [where, { username: { gt: String(cursor[0]) } }] } : where,
      orderBy: { username: "asc" },
      take: size + 1,
    }),
    deps.db.user.count({ where }),
  ]);
  return { ...toPage(rows, size, (u) => [u.username]), totalCount };
}
