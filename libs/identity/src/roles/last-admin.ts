import { conflict } from "@steward/core";
import type { Tx } from "@steward/db";

/**
 * Refuses a change that would leave no active administrator (nobody could manage users again).
 * Locks the ADMIN assignments so two concurrent demotions cannot both pass the check.
 */
export async function assertAnotherActiveAdmin(tx: Tx, losingUserId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ userId: string }[]>`
    SELECT ra."userId" FROM "RoleAssignment" ra JOIN "User" u ON u.id = ra."userId"
    WHERE ra.role = 'ADMIN' AND u.status = 'ACTIVE'
    FOR UPDATE OF ra`;
  const isAdmin = rows.some((r) => r.userId === losingUserId);
  if (isAdmin && rows.length <= 1) throw conflict("This would leave Steward without an active administrator");
}
