import { type Actor, badInput, notFound, parseInput } from "@steward/core";
import { transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import { requireRegisterOn } from "../authz";
import type { CatalogDeps } from "../deps";
import { registerNodes } from "./register-nodes";

const Input = z
  .object({
    connectionId: z.uuid(),
    /** Individual catalog objects. */
    nodeIds: z.array(z.uuid()).max(10_000).nullish(),
    /** Every object below these schema (or database) nodes. */
    containerIds: z.array(z.uuid()).max(1000).nullish(),
    /** Every object of the connection. */
    wholeConnection: z.boolean().nullish(),
    /** Also register objects that appear later below the chosen containers / connection. */
    autoRegisterNew: z.boolean().nullish(),
  })
  .refine(
    (i) => (i.nodeIds?.length ?? 0) > 0 || (i.containerIds?.length ?? 0) > 0 || i.wholeConnection,
    "choose objects, schemas or the whole connection",
  );

/** Registers catalog objects as data sources: individually, by schema, or the whole connection. */
export async function registerDataSources(deps: CatalogDeps, actor: Actor | null, input: unknown) {
  const data = parseInput(Input, input);
  return transaction(
    deps.db,
    async (tx) => {
      const a = await requireRegisterOn(tx, actor, data.connectionId);
      const connection = await tx.connection.findUnique({ where: { id: data.connectionId } });
      if (!connection || connection.deletedAt) throw notFound("Connection");
      const containers = data.containerIds?.length
        ? await tx.catalogNode.findMany({
            where: { id: { in: data.containerIds }, connectionId: connection.id, kind: { in: ["DATABASE", "SCHEMA", "BUCKET"] } },
          })
        : [];
      if (containers.length !== (data.containerIds?.length ?? 0)) throw badInput("Some schemas were not found on this connection");
      const or = [
        ...(data.nodeIds?.length ? [{ id: { in: data.nodeIds } }] : []),
        ...containers.map((c) => ({ pathKey: { startsWith: `${c.pathKey}\u001f` } })),
      ];
      // The whole connection is no narrowing at all. (Prisma's `OR: [{}]` matches no row, which
      // once made "register the whole connection" register nothing.)
      const chosen = data.wholeConnection ? {} : { OR: or };
      const nodes = await tx.catalogNode.findMany({
        where: { connectionId: connection.id, kind: { in: ["OBJECT", "PREFIX"] }, present: true, dataSource: null, ...chosen },
        select: { id: true, path: true, objectType: true, columns: true },
      });
      if (data.nodeIds?.length) {
        const found = await tx.catalogNode.count({
          where: { id: { in: data.nodeIds }, connectionId: connection.id, kind: { in: ["OBJECT", "PREFIX"] } },
        });
        if (found !== data.nodeIds.length) throw badInput("Some objects were not found on this connection (or are not tables/views)");
      }
      if (data.autoRegisterNew) {
        if (data.wholeConnection) await tx.connection.update({ where: { id: connection.id }, data: { autoRegister: true } });
        const schemaIds = containers.filter((c) => c.kind === "SCHEMA").map((c) => c.id);
        if (schemaIds.length) await tx.catalogNode.updateMany({ where: { id: { in: schemaIds } }, data: { autoRegister: true } });
        await recordAudit(tx, a, {
          action: "connection.auto_register_set",
          targetType: "Connection",
          targetId: connection.id,
          after: { wholeConnection: !!data.wholeConnection, schemas: containers.map((c) => c.path.join(".")) },
        });
      }
      const ids = await registerNodes(tx, a, connection.id, nodes);
      return { registeredIds: ids };
    },
    { timeoutMs: 300_000 },
  );
}
