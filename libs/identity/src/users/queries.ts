import { type Actor, decodeCursor, notFound, type PageArgs, pageSize, parseInput, toPage } from "@steward/core";
import type { Prisma } from "@steward/db";
import { z } from "zod";
import { requireUserReader } from "../authz";
import type { IdentityDeps } from "../deps";

const Filter = z
  .object({
    search: z.string().trim().max(200).nullish(),
    status: z.enum(["ACTIVE", "DEACTIVATED"]).nullish(),
    role: z.enum(["ADMIN", "GOVERNOR", "DATA_OWNER"]).nullish(),
    groupId: z.uuid().nullish(),
  })
  .nullish();

/** Users ordered by username, keyset-paginated. */
export async function listUsers(deps: IdentityDeps, actor: Actor | null, filterInput: unknown, page: PageArgs) {
  requireUserReader(actor);
  const filter = parseInput(Filter, filterInput) ?? {};
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 1);
  const search = filter.search || undefined;
  const where: Prisma.UserWhereInput = {
    status: filter.status ?? undefined,
    roles: filter.role ? { some: { role: filter.role } } : undefined,
    memberships: filter.groupId ? { some: { groupId: filter.groupId } } : undefined,
    OR: search
      ? [
          { username: { contains: search, mode: "insensitive" } },
          { displayName: { contains: search, mode: "insensitive" } },
          { email: { contains: search, mode: "insensitive" } },
        ]
      : undefined,
  };
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

export async function getUser(deps: IdentityDeps, actor: Actor | null, id: string) {
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) return null;
  requireUserReader(actor, parsed.data);
  return deps.db.user.findUnique({ where: { id: parsed.data } });
}

export async function requireExistingUser(deps: IdentityDeps, actor: Actor | null, id: string) {
  const user = await getUser(deps, actor, id);
  if (!user) throw notFound("User");
  return user;
}

export async function listAttributeKeys(deps: IdentityDeps, actor: Actor | null): Promise<string[]> {
  requireUserReader(actor);
  const rows = await deps.db.userAttribute.findMany({ distinct: ["key"], select: { key: true }, orderBy: { key: "asc" } });
  return rows.map((r) => r.key);
}
