import type { Actor } from "@steward/core";
import { type Db, transaction } from "@steward/db";
import { recordAudit } from "./audit";

export type Refusal = { path: string; reason: string };

const MAX_REFUSALS_PER_ROW = 20;

/**
 * Records that an operation was refused (FORBIDDEN), one row per request however many fields were refused.
 * Written in its own transaction: the refused use-case's transaction has rolled back.
 */
export async function recordRefusedAction(
  db: Db,
  actor: Actor | null,
  input: { operation: string | null; type: string | null; refusals: Refusal[] },
): Promise<void> {
  if (!input.refusals.length) return;
  const operation = input.operation?.slice(0, 200) || "anonymous";
  await transaction(db, (tx) =>
    recordAudit(tx, actor ?? { kind: "SYSTEM", label: "anonymous" }, {
      action: "access.refused",
      targetType: "Operation",
      targetId: operation,
      after: {
        operation,
        type: input.type,
        refused: input.refusals.slice(0, MAX_REFUSALS_PER_ROW).map((r) => ({ path: r.path.slice(0, 300), reason: r.reason.slice(0, 500) })),
      },
    }),
  );
}
