import type { Tx } from "@steward/db";
import { notFound } from "@steward/core";

/** The audited view of a user: what changed, never the password hash. */
export async function userSnapshot(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    include: {
      roles: { select: { role: true }, orderBy: { role: "asc" } },
      attributes: { select: { key: true, value: true }, orderBy: [{ key: "asc" }, { value: "asc" }] },
      memberships: { select: { group: { select: { name: true } } } },
      platformAccounts: { select: { platform: true, accountName: true } },
    },
  });
  if (!user) throw notFound("User");
  const attributes: Record<string, string[]> = {};
  for (const a of user.attributes) (attributes[a.key] ??= []).push(a.value);
  return {
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    status: user.status,
    roles: user.roles.map((r) => r.role),
    attributes,
    groups: user.memberships.map((m) => m.group.name).sort(),
    platformAccounts: Object.fromEntries(user.platformAccounts.map((p) => [p.platform, p.accountName])),
  };
}

export async function requireUser(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("User");
  return user;
}
