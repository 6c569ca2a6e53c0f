import {
  type Actor,
  badInput,
  decodeCursor,
  forbidden,
  hasRole,
  type Page,
  type PageArgs,
  pageSize,
  parseInput,
  toPage,
  unauthenticated,
} from "@steward/core";
import type { Db, DecisionRecord, Prisma } from "@steward/db";
import { z } from "zod";

/** What the query audit can be searched by; every field narrows (AND). */
export type DecisionRecordFilter = {
  connectionId?: string | null;
  /** The platform user exactly as the platform named it. */
  user?: string | null;
  allowed?: boolean | null;
  /** The platform's operation name, exactly (e.g. `SelectFromColumns`). */
  operation?: string | null;
  /** Case-insensitive substring of the resource or the reason; `%`, `_` and `\` match themselves. */
  text?: string | null;
  from?: Date | null;
  to?: Date | null;
};

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

const FilterSchema = z
  .object({
    connectionId: z.uuid("must be a UUID").nullish(),
    user: optionalText(255),
    allowed: z.boolean().nullish(),
    operation: optionalText(100),
    text: optionalText(200),
    from: z.date().nullish(),
    to: z.date().nullish(),
  })
  .refine((f) => !f.from || !f.to || f.from.getTime() <= f.to.getTime(), { message: "from must not be after to", path: ["from"] });

/** LIKE treats `%`, `_` and the escape character itself as syntax: a search for "100%" means the text. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Which connections' records the actor may read: all (null) for admins and governors, the connections
 * they are assigned to for data owners (the rule of `canSeeConnection` in libs/catalog and of the
 * audit trail), refused for everyone else. Asking for one connection one may not read is refused as a
 * whole rather than answered with an empty page.
 */
async function readableConnections(db: Db, actor: Actor | null, connectionId: string | null | undefined): Promise<string[] | null> {
  if (!actor) throw unauthenticated();
  if (hasRole(actor, "ADMIN") || hasRole(actor, "GOVERNOR")) return null;
  if (actor.kind === "SYSTEM" || !hasRole(actor, "DATA_OWNER")) {
    throw forbidden("Reading the query audit needs the ADMIN or GOVERNOR role, or DATA_OWNER for your own connections");
  }
  const rows = await db.connectionDataOwner.findMany({
    where: { userId: actor.userId, ...(connectionId ? { connectionId } : {}) },
    select: { connectionId: true },
  });
  if (connectionId && rows.length === 0) throw forbidden("You can read the query audit only of connections you are a data owner on");
  return rows.map((r) => r.connectionId);
}

/** The Prisma filter of a validated filter and cursor (pure, so the escaping is unit-tested). */
export type ParsedDecisionRecordFilter = z.output<typeof FilterSchema>;

export function decisionRecordWhere(
  filter: ParsedDecisionRecordFilter,
  scope: string[] | null,
  cursor: { at: Date; id: string } | null,
): Prisma.DecisionRecordWhereInput {
  const and: Prisma.DecisionRecordWhereInput[] = [];
  if (scope) and.push({ connectionId: { in: scope } });
  if (filter.connectionId) and.push({ connectionId: filter.connectionId });
  if (filter.user) and.push({ user: filter.user });
  if (filter.allowed != null) and.push({ allowed: filter.allowed });
  if (filter.operation) and.push({ operation: filter.operation });
  if (filter.text) {
    const pattern = escapeLike(filter.text);
    and.push({ OR: [{ resource: { contains: pattern, mode: "insensitive" } }, { reason: { contains: pattern, mode: "insensitive" } }] });
  }
  if (filter.from) and.push({ at: { gte: filter.from } });
  if (filter.to) and.push({ at: { lt: filter.to } });
  // Keyset on (at, id) descending: records written in one batch share a timestamp.
  if (cursor) and.push({ OR: [{ at: { lt: cursor.at } }, { at: cursor.at, id: { lt: cursor.id } }] });
  return { AND: and };
}

function parseCursor(after: string | null | undefined): { at: Date; id: string } | null {
  const values = decodeCursor(after, 2);
  if (!values) return null;
  const [at, id] = values;
  const date = typeof at === "string" ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || typeof id !== "string" || !z.uuid().safeParse(id).success) {
    throw badInput("after is not a valid cursor", [{ path: "after", message: "invalid cursor" }]);
  }
  return { at: date, id: id as string };
}

export const decisionRecordCursor = (r: Pick<DecisionRecord, "at" | "id">): (string | number)[] => [r.at.toISOString(), r.id];

/**
 * The query audit, newest first: every decision the decision service recorded (or its sample), with
 * the reason a person reads ("no policy grants READ on …", "missing attribute …").
 */
export async function listDecisionRecords(
  deps: { db: Db },
  actor: Actor | null,
  filterInput: DecisionRecordFilter | null | undefined,
  page: PageArgs,
): Promise<Page<DecisionRecord>> {
  const filter = parseInput(FilterSchema, filterInput ?? {});
  const size = pageSize(page.first);
  const cursor = parseCursor(page.after);
  const scope = await readableConnections(deps.db, actor, filter.connectionId);
  if (scope && scope.length === 0) return { nodes: [], hasNextPage: false, endCursor: null };
  const rows = await deps.db.decisionRecord.findMany({
    where: decisionRecordWhere(filter, scope, cursor),
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: size + 1,
  });
  return toPage(rows, size, decisionRecordCursor);
}
