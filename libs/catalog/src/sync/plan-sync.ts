import { createHash, randomUUID } from "node:crypto";
import type { CrawledObject } from "@steward/integrations";

/** Separator of pathKey parts: U+001F cannot appear in any platform's identifiers we crawl. */
export const PATH_SEP = "\u001f";

export type ExistingNode = {
  id: string;
  pathKey: string;
  present: boolean;
  columnsHash: string | null;
  objectType: string | null;
  kind: string;
};

export type NodeInsert = {
  id: string;
  parentId: string | null;
  kind: "DATABASE" | "SCHEMA" | "OBJECT";
  name: string;
  path: string[];
  pathKey: string;
  objectType: string | null;
  columns: CrawledObject["columns"] | null;
  columnsHash: string | null;
};
export type NodeUpdate = {
  id: string;
  objectType: string | null;
  columns: CrawledObject["columns"];
  columnsHash: string;
  revived: boolean;
  columnsChanged: boolean;
};

export type SyncPlan = {
  inserts: NodeInsert[];
  updates: NodeUpdate[];
  /** Nodes present before and absent now. */
  gone: string[];
  /** Ids of object nodes that appeared or came back (candidates for auto-registration). */
  newObjectIds: string[];
};

export function columnsHash(columns: CrawledObject["columns"]): string {
  return createHash("sha1").update(JSON.stringify(columns)).digest("base64url");
}

/**
 * Pure diff of a crawl against the stored catalog: what to insert, update, and mark gone. Parents
 * (database, schema) are derived from object paths, so they come and go with their objects.
 */
export function planSync(objects: CrawledObject[], existing: ExistingNode[]): SyncPlan {
  const byKey = new Map(existing.map((n) => [n.pathKey, n]));
  const seen = new Set<string>();
  const idOf = new Map<string, string>();
  const plan: SyncPlan = { inserts: [], updates: [], gone: [], newObjectIds: [] };

  const ensure = (path: string[], kind: NodeInsert["kind"], object?: CrawledObject): string => {
    const pathKey = path.join(PATH_SEP);
    const known = idOf.get(pathKey);
    if (known) return known;
    seen.add(pathKey);
    const parentId = path.length > 1 ? ensure(path.slice(0, -1), path.length === 2 ? "DATABASE" : "SCHEMA") : null;
    const hash = object ? columnsHash(object.columns) : null;
    const current = byKey.get(pathKey);
    if (current) {
      idOf.set(pathKey, current.id);
      const changed = object && (current.columnsHash !== hash || current.objectType !== object.objectType);
      if (object && (changed || !current.present)) {
        plan.updates.push({
          id: current.id,
          objectType: object.objectType,
          columns: object.columns,
          columnsHash: hash!,
          revived: !current.present,
          columnsChanged: current.columnsHash !== hash,
        });
        if (!current.present) plan.newObjectIds.push(current.id);
      } else if (!current.present) {
        plan.updates.push({ id: current.id, objectType: null, columns: [], columnsHash: "", revived: true, columnsChanged: false });
      }
      return current.id;
    }
    const id = randomUUID();
    idOf.set(pathKey, id);
    plan.inserts.push({
      id,
      parentId,
      kind,
      name: path.at(-1)!,
      path,
      pathKey,
      objectType: object?.objectType ?? null,
      columns: object?.columns ?? null,
      columnsHash: hash,
    });
    if (object) plan.newObjectIds.push(id);
    return id;
  };

  for (const o of objects) ensure(o.path, "OBJECT", o);
  for (const n of existing) if (n.present && !seen.has(n.pathKey)) plan.gone.push(n.id);
  return plan;
}
