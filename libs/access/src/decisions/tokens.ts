import { type Actor, badInput, forbidden, hasRole, notFound, parseInput, randomToken, sha256Hex, unauthenticated } from "@steward/core";
import { type Db, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import { z } from "zod";

export type DecisionTokenDeps = { db: Db; adapterFor?: AdapterLookup; now?: () => Date };

/** 32 random bytes: like API keys, a fast hash is safe at this entropy and lets the service look it up. */
const TOKEN_BYTES = 32;

/** The same rule as libs/catalog's `requireConnectionAdmin` (libs/access does not depend on the catalog). */
function requireConnectionAdmin(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  if (!hasRole(actor, "ADMIN")) throw forbidden("Managing connections needs the ADMIN role");
  return actor;
}

/**
 * Issues the token a query-time platform (e.g. Trino's `opa` plugin) presents to the decision service.
 * Connection settings are ADMIN-only in libs/catalog (data owners register and tag sources, they do
 * not configure the connection), so this is too. Only the hash is stored; the token is returned once.
 * Issuing again replaces the hash, so the previous token stops working at once.
 */
export async function issueDecisionToken(deps: DecisionTokenDeps, actor: Actor | null, connectionId: unknown) {
  const a = requireConnectionAdmin(actor);
  const id = parseInput(z.uuid("connectionId must be a UUID"), connectionId);
  const token = randomToken(TOKEN_BYTES);
  const issuedAt = (deps.now ?? (() => new Date()))();
  return transaction(deps.db, async (tx) => {
    const connection = await tx.connection.findUnique({
      where: { id },
      select: { id: true, kind: true, deletedAt: true, decisionTokenIssuedAt: true },
    });
    if (!connection || connection.deletedAt) throw notFound("Connection");
    if (!(deps.adapterFor ?? adapterFor)(connection.kind).capabilities.decisions) {
      throw badInput("This kind of connection does not ask Steward at query time, so it has no decision token", [
        { path: "connectionId", message: "connection kind has no query-time decisions" },
      ]);
    }
    await tx.connection.update({ where: { id }, data: { decisionTokenHash: sha256Hex(token), decisionTokenIssuedAt: issuedAt } });
    await recordAudit(tx, a, {
      action: "connection.decision_token_issued",
      targetType: "Connection",
      targetId: id,
      // Never the token or its hash: the audit log is readable by governors and data owners.
      before: { tokenIssuedAt: connection.decisionTokenIssuedAt?.toISOString() ?? null },
      after: { tokenIssuedAt: issuedAt.toISOString() },
    });
    await emitEvent(tx, {
      type: "connection.decision_token_issued",
      aggregateType: "Connection",
      aggregateId: id,
      payload: { connectionId: id },
    });
    return { connectionId: id, token, issuedAt, kind: connection.kind };
  });
}
