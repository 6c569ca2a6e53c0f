import { eventSchemas } from "@steward/events";
import type { EventConsumer } from "./consumer";

/** A requested sync (API, inbound webhook, schedule) becomes a sync-connection job. */
export const catalogSyncConsumer: EventConsumer = {
  name: "catalog-sync",
  async consume(_tx, event) {
    if (event.type !== "connection.sync_requested") return [];
    const payload = eventSchemas["connection.sync_requested"].parse(event.payload);
    return [{ name: "sync-connection", data: { syncRunId: payload.syncRunId } }];
  },
};
