import { type Actor, notFound, parseInput } from "@steward/core";
import { type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { z } from "zod";
import { requireTagSource } from "../authz";
import type { CatalogDeps } from "../deps";

/** Hierarchical names: dot-separated segments of letters, digits, '_' or '-' (e.g. `PII.Email`). */
export const tagName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\p{L}\p{N}_-]+(\.[\p{L}\p{N}_-]+)*$/u, "use dot-separated segments of letters, digits, '_' or '-', e.g. PII.Email");

const SourceTagInput = z.object({ dataSourceId: z.uuid(), tag: tagName });
const ColumnTagInput = z.object({ dataSourceId: z.uuid(), column: z.string().min(1).max(200), tag: tagName });

async function upsertTag(tx: Tx, name: string) {
  return tx.tag.upsert({ where: { name }, create: { name }, update: {} });
}

async function loadSource(tx: Tx, actor: Actor | null, id: string) {
  const source = await tx.dataSource.findUnique({ where: { id } });
  if (!source) throw notFound("Data source");
  const a = await requireTagSource(tx, actor, source);
  return { source, actor: a };
}

export async function tagDataSource(deps: CatalogDeps, actor: Actor | null, input: unknown, add: boolean) {
  const data = parseInput(SourceTagInput, input);
  return transaction(deps.db, async (tx) => {
    const { source, actor: a } = await loadSource(tx, actor, data.dataSourceId);
    const tag = await upsertTag(tx, data.tag);
    const key = { dataSourceId_tagId: { dataSourceId: source.id, tagId: tag.id } };
    const existing = await tx.dataSourceTag.findUnique({ where: key });
    if (add === !!existing) return source; // already in the requested state
    if (add) await tx.dataSourceTag.create({ data: { dataSourceId: source.id, tagId: tag.id } });
    else await tx.dataSourceTag.delete({ where: key });
    await recordAudit(tx, a, {
      action: add ? "data_source.tagged" : "data_source.untagged",
      targetType: "DataSource",
      targetId: source.id,
      after: { tag: tag.name },
    });
    await emitEvent(tx, {
      type: "data_source.tags_changed",
      aggregateType: "DataSource",
      aggregateId: source.id,
      payload: { connectionId: source.connectionId, dataSourceId: source.id },
    });
    return source;
  });
}

export async function tagColumn(deps: CatalogDeps, actor: Actor | null, input: unknown, add: boolean) {
  const data = parseInput(ColumnTagInput, input);
  return transaction(deps.db, async (tx) => {
    const { source, actor: a } = await loadSource(tx, actor, data.dataSourceId);
    const column = await tx.dataSourceColumn.findUnique({ where: { dataSourceId_name: { dataSourceId: source.id, name: data.column } } });
    if (!column) throw notFound("Column");
    const tag = await upsertTag(tx, data.tag);
    const key = { columnId_tagId: { columnId: column.id, tagId: tag.id } };
    const existing = await tx.columnTag.findUnique({ where: key });
    if (add === !!existing) return source;
    if (add) await tx.columnTag.create({ data: { columnId: column.id, tagId: tag.id } });
    else await tx.columnTag.delete({ where: key });
    await recordAudit(tx, a, {
      action: add ? "column.tagged" : "column.untagged",
      targetType: "DataSource",
      targetId: source.id,
      after: { column: column.name, tag: tag.name },
    });
    await emitEvent(tx, {
      type: "data_source.tags_changed",
      aggregateType: "DataSource",
      aggregateId: source.id,
      payload: { connectionId: source.connectionId, dataSourceId: source.id },
    });
    return source;
  });
}
