import { randomUUID } from "node:crypto";
import type { Actor } from "@steward/core";
import type { Tx } from "@steward/db";
import { DATA_SOURCE_EVENT_CHUNK, emitEvent } from "@steward/events";
import type { CrawledColumn } from "@steward/integrations";
import { auditMany } from "../audit-many";

export type RegistrableNode = { id: string; path: string[]; objectType: string | null; columns: unknown };

const CHUNK = 10_000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
export { chunks };

/**
 * Registers catalog objects as data sources (with their columns), in bulk, in the caller's
 * transaction, with one audit row per source and chunked outbox events. Nodes that already have a data
 * source are skipped by the caller.
 */
export async function registerNodes(tx: Tx, actor: Actor, connectionId: string, nodes: RegistrableNode[]): Promise<string[]> {
  if (nodes.length === 0) return [];
  const registeredById = actor.kind === "SYSTEM" ? null : actor.userId;
  const sources = nodes.map((n) => ({
    id: randomUUID(),
    connectionId,
    catalogNodeId: n.id,
    name: n.path.join("."),
    objectType: n.objectType ?? "TABLE",
    registeredById,
  }));
  for (const part of chunks(sources, CHUNK)) {
    await tx.$executeRaw`
      INSERT INTO "DataSource" (id, "connectionId", "catalogNodeId", name, "objectType", "registeredById", "updatedAt")
      SELECT v.id, ${connectionId}::uuid, v.node, v.name, v.otype, ${registeredById}::uuid, now()
      FROM unnest(${part.map((p) => p.id)}::uuid[], ${part.map((p) => p.catalogNodeId)}::uuid[], ${part.map((p) => p.name)}::text[], ${part.map((p) => p.objectType)}::text[])
        AS v(id, node, name, otype)`;
  }
  const columns = sources.flatMap((s, i) =>
    ((nodes[i]!.columns as CrawledColumn[] | null) ?? []).map((c) => ({
      dataSourceId: s.id,
      name: c.name,
      dataType: c.dataType,
      ordinal: c.ordinal,
      nullable: c.nullable,
    })),
  );
  for (const part of chunks(columns, CHUNK * 4)) {
    await tx.$executeRaw`
      INSERT INTO "DataSourceColumn" (id, "dataSourceId", name, "dataType", ordinal, nullable)
      SELECT gen_random_uuid(), v.ds, v.name, v.t, v.o, v.n
      FROM unnest(${part.map((c) => c.dataSourceId)}::uuid[], ${part.map((c) => c.name)}::text[], ${part.map((c) => c.dataType)}::text[], ${part.map((c) => c.ordinal)}::int[], ${part.map((c) => c.nullable)}::bool[])
        AS v(ds, name, t, o, n)`;
  }
  await auditMany(
    tx,
    actor,
    sources.map((s) => ({
      action: "data_source.registered",
      targetType: "DataSource",
      targetId: s.id,
      after: { name: s.name, objectType: s.objectType, connectionId },
    })),
  );
  const ids = sources.map((s) => s.id);
  for (const part of chunks(ids, DATA_SOURCE_EVENT_CHUNK)) {
    await emitEvent(tx, {
      type: "data_source.registered",
      aggregateType: "Connection",
      aggregateId: connectionId,
      payload: { connectionId, dataSourceIds: part },
    });
  }
  return ids;
}
