import { createDeliveriesForEvent } from "@steward/webhooks";
import type { EventConsumer } from "./consumer";

/** Fans an event out to the subscribed webhook endpoints: one delivery row + one job per endpoint. */
export const webhooksConsumer: EventConsumer = {
  name: "webhooks",
  async consume(tx, event, log) {
    const pending = await createDeliveriesForEvent(tx, event);
    if (pending.length > 0) log.debug({ deliveries: pending.length }, "webhook deliveries planned");
    return pending.map((d) => ({ name: "deliver-webhook", data: { deliveryId: d.deliveryId, round: d.round } }));
  },
};
