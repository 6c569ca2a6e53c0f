import { bumpDesiredVersions, connectionsAffectedBy, recordPendingScopes, scopeOfEvent } from "@steward/access";
import type { EventConsumer } from "./consumer";

/**
 * Access-affecting events (identities, policies, requests, data sources) bump the desired-state
 * version of each connection they can change, in the dispatch transaction, and queue one reconcile
 * per (connection, version). A burst of events collapses: the first job applies the latest version
 * and the rest find it applied.
 */
export const accessPropagationConsumer: EventConsumer = {
  name: "access-propagation",
  async consume(tx, event, log) {
    const connections = await connectionsAffectedBy(tx, event);
    if (connections.length === 0) return [];
    const versions = await bumpDesiredVersions(tx, connections);
    // Who the change affects, committed with the bump: the reconcile then re-plans only them.
    await recordPendingScopes(tx, versions, scopeOfEvent(event));
    log.debug({ versions }, "desired access versions bumped");
    return versions.map((v) => ({
      name: "reconcile-connection" as const,
      data: { connectionId: v.connectionId, version: v.version, attempt: 0 },
    }));
  },
};
