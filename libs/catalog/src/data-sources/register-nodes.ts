import { randomUUID } from "node:crypto";
import type { Actor } from "@steward/core";
import type { Tx } from "@steward/db";
import { DATA_SOURCE_EVENT_CHUNK, emitEvent } from "@steward/events";
import type { CrawledColumn } from "@steward/integrations";
import { auditMany } from "../audit-many";

export type RegistrableNode = { id: string; path: string[]; objectType: string | null; columns: unknown };

const CHUNK = 2000;

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
  for (const part of chunks(sources, CHUNK)) await tx.dataSource.createMany({ data: part });
  const columns = sources.flatMap((s, i) =>
    ((nodes[i]!.columns as CrawledColumn[] | null) ?? []).map((c) => ({
      dataSourceId: s.id,
      name: c.name,
      dataType: c.dataType,
      ordinal: c.ordinal,
      nullable: c.nullable,
    })),
  );
  for (const part of chunks(columns, CHUNK * 2)) await tx.dataSourceColumn.createMany({ data: part });
  await auditMany(
    tx,
    actor,
    sources.map((s) => ({ action: "data_source.registered", targetType: "DataSource", targetId: s.id, after: { name: s.name, objectType: s.objectType, connectionId } })),
  );
  const ids = sources.map((s) => s.id);
  for (const part of chunks(ids, DATA_SOURCE_EVENT_CHUNK)) {
    await emitEvent(tx, { type: "data_source.registered", aggregateType: "Connection", aggregateId: connectionId, payload: { connectionId, dataSourceIds: part } });
  }
  return ids;
}
