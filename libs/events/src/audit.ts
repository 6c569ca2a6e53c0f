import { type Actor, actorUserId, decodeCursor, type PageArgs, pageSize, parseInput, toPage } from "@steward/core";
import type { Prisma, Tx } from "@steward/db";
import { z } from "zod";

export type AuditInput = {
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
};

function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "USER":
      return actor.username;
    case "API_KEY":
      return `${actor.username} (key ${actor.keyPrefix})`;
    case "SYSTEM":
      return actor.label;
  }
}

const toJson = (v: unknown): Prisma.InputJsonValue | undefined =>
  v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue);

/** Records who did what, in the caller's transaction: an audited change and its record commit together. */
export async function recordAudit(tx: Tx, actor: Actor, input: AuditInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorType: actor.kind,
      actorId: actorUserId(actor),
      actorLabel: actorLabel(actor),
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId,
      before: toJson(input.before),
      after: toJson(input.after),
      requestId: actor.requestId ?? null,
    },
  });
}

export type AuditFilter = {
  actorId?: string | null;
  action?: string | null;
  actionPrefix?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
};

const short = z.string().trim().max(200).nullish();
const FilterSchema = z.object({
  actorId: z.uuid().nullish(),
  action: short,
  actionPrefix: short,
  targetType: short,
  targetId: short,
  from: z.date().nullish(),
  to: z.date().nullish(),
});

/** Restricts a listing to these targets (an empty list matches nothing of that type). */
export type AuditScope = { connectionIds: string[]; dataSourceIds: string[] };

/** Newest first, keyset-paginated on the id. */
export async function listAuditEvents(tx: Tx, filterInput: AuditFilter, page: PageArgs, scope?: AuditScope) {
  const filter = parseInput(FilterSchema, filterInput);
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 1);
  const where: Prisma.AuditEventWhereInput = {
    actorId: filter.actorId ?? undefined,
    action: filter.action ?? (filter.actionPrefix ? { startsWith: filter.actionPrefix } : undefined),
    targetType: filter.targetType ?? undefined,
    targetId: filter.targetId ?? undefined,
    createdAt: filter.from || filter.to ? { gte: filter.from ?? undefined, lt: filter.to ?? undefined } : undefined,
    ...(cursor ? { id: { lt: BigInt(cursor[0] as string) } } : {}),
    ...(scope
      ? {
          AND: [
            {
              OR: [
                { targetType: "Connection", targetId: { in: scope.connectionIds } },
                { targetType: "DataSource", targetId: { in: scope.dataSourceIds } },
              ],
            },
          ],
        }
      : {}),
  };
  const rows = await tx.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: size + 1 });
  return toPage(rows, size, (r) => [r.id.toString()]);
}
