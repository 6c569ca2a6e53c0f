import { badInput } from "@steward/core";
import type { Db, Tx } from "@steward/db";
import type { DecisionSnapshot, DecisionSnapshotStore } from "@steward/integrations";
import { z } from "zod";

/** Replicas of the decision service LISTEN here; the payload is `<connectionId>:<version>`. */
export const DECISIONS_NOTIFY_CHANNEL = "steward_decisions";

const snapshotHeader = z.object({
  connectionId: z.uuid(),
  version: z.number().int().min(0).max(2_147_483_647),
  hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 hex digest"),
  publishedAt: z.iso.datetime({ offset: true }),
  state: z.object({ connectionId: z.uuid(), version: z.number().int(), decisions: z.object({}).loose() }).loose(),
});

/** Parses `<connectionId>:<version>` from a notification; null for anything else. */
export function parseDecisionsNotification(payload: string): { connectionId: string; version: number } | null {
  const match = /^([0-9a-f-]{36}):(\d{1,10})$/i.exec(payload);
  if (!match) return null;
  const version = Number(match[2]);
  return Number.isSafeInteger(version) ? { connectionId: match[1]!.toLowerCase(), version } : null;
}

type SnapshotRow = { connectionId: string; version: number; hash: string; state: unknown; publishedAt: Date };

export function toDecisionSnapshot(row: SnapshotRow): DecisionSnapshot {
  return {
    connectionId: row.connectionId,
    version: row.version,
    hash: row.hash,
    publishedAt: row.publishedAt.toISOString(),
    state: row.state as DecisionSnapshot["state"],
  };
}

/**
 * Decision snapshots in the metadata database. `publish` is one statement, so one transaction: the
 * row is replaced only by a newer version (a late reconcile can never roll a replica back), and the
 * NOTIFY is sent only when the row changed — PostgreSQL delivers it at commit, never before the row
 * is visible to the replicas that reload on it.
 */
export function prismaDecisionSnapshotStore(db: Db | Tx): DecisionSnapshotStore {
  return {
    async read(connectionId) {
      if (!z.uuid().safeParse(connectionId).success) return null;
      const row = await db.decisionSnapshot.findUnique({ where: { connectionId } });
      return row ? toDecisionSnapshot(row) : null;
    },
    async publish(snapshot) {
      const parsed = snapshotHeader.safeParse(snapshot);
      if (!parsed.success) {
        throw badInput(
          "Invalid decision snapshot",
          parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      }
      if (snapshot.state.connectionId !== snapshot.connectionId || snapshot.state.version !== snapshot.version) {
        throw badInput("Decision snapshot state belongs to another connection or version");
      }
      const json = JSON.stringify(snapshot.state);
      // jsonb cannot hold U+0000; a clear error beats the driver's.
      if (json.includes("\\u0000")) throw badInput("Decision snapshot contains a NUL character");
      await db.$executeRaw`
        WITH upserted AS (
          INSERT INTO "DecisionSnapshot" ("connectionId", version, hash, state, "publishedAt")
          VALUES (${snapshot.connectionId}::uuid, ${snapshot.version}::int, ${snapshot.hash}, ${json}::jsonb, ${new Date(snapshot.publishedAt)})
          ON CONFLICT ("connectionId") DO UPDATE
             SET version = excluded.version, hash = excluded.hash, state = excluded.state, "publishedAt" = excluded."publishedAt"
           WHERE excluded.version > "DecisionSnapshot".version
          RETURNING "connectionId", version
        )
        SELECT pg_notify(${DECISIONS_NOTIFY_CHANNEL}, "connectionId"::text || ':' || version::text) FROM upserted`;
    },
  };
}
