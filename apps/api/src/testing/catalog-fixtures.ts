import { randomBytes } from "node:crypto";
import { createConnection, registerDataSources, runSync } from "@steward/catalog";
import { systemActor } from "@steward/core";
import type { TestApi } from "./api-harness";

/**
 * A synced connection to the test's own metadata database with the given tables registered as data
 * sources (Steward's tables make a catalog that is always there). Returns source ids in table order.
 */
export async function connectionWithSources(api: TestApi, tables: string[], dataOwnerIds: string[] = []) {
  const system = systemActor("test-fixture");
  const { connection, syncRun } = await createConnection(api.deps, system, {
    name: `fixture-${randomBytes(3).toString("hex")}`,
    kind: "POSTGRES",
    config: { host: "127.0.0.1", port: 5432, user: "postgres", databases: [api.testDb.name] },
    dataOwnerIds,
  });
  await runSync(api.deps, syncRun.id);
  const nodes = await api.testDb.db.catalogNode.findMany({ where: { connectionId: connection.id, kind: "OBJECT", name: { in: tables } } });
  const nodeIds = tables.map((t) => nodes.find((n) => n.name === t)!.id);
  const { registeredIds } = await registerDataSources(api.deps, system, { connectionId: connection.id, nodeIds });
  const sources = await api.testDb.db.dataSource.findMany({ where: { id: { in: registeredIds } }, include: { catalogNode: true } });
  return { connectionId: connection.id, sourceIds: tables.map((t) => sources.find((s) => s.catalogNode.name === t)!.id) };
}
