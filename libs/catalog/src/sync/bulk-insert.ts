import type { Tx } from "@steward/db";
import type { NodeInsert } from "./plan-sync";

/**
 * Inserts catalog nodes with one `INSERT … SELECT FROM unnest(…)` per chunk: a handful of array
 * parameters instead of ten bind parameters per row, which is what keeps a 50,000-object first sync
 * fast. Values are bound, never interpolated.
 */
export async function insertCatalogNodes(tx: Tx, connectionId: string, rows: NodeInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "CatalogNode" (id, "connectionId", "parentId", kind, name, path, "pathKey", "objectType", columns, "columnsHash")
    SELECT v.id, ${connectionId}::uuid, v.parent, v.kind::"CatalogNodeKind", v.name,
           ARRAY(SELECT jsonb_array_elements_text(v.path::jsonb)), v.key, v.otype, v.cols::jsonb, v.hash
    FROM unnest(
      ${rows.map((r) => r.id)}::uuid[],
      ${rows.map((r) => r.parentId)}::uuid[],
      ${rows.map((r) => r.kind)}::text[],
      ${rows.map((r) => r.name)}::text[],
      ${rows.map((r) => JSON.stringify(r.path))}::text[],
      ${rows.map((r) => r.pathKey)}::text[],
      ${rows.map((r) => r.objectType)}::text[],
      ${rows.map((r) => (r.columns ? JSON.stringify(r.columns) : null))}::text[],
      ${rows.map((r) => r.columnsHash)}::text[]
    ) AS v(id, parent, kind, name, path, key, otype, cols, hash)`;
}
