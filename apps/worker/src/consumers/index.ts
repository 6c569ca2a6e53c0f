import { accessPropagationConsumer } from "./access-propagation.consumer";
import { catalogSyncConsumer } from "./catalog-sync.consumer";
import type { EventConsumer } from "./consumer";
import { webhooksConsumer } from "./webhooks.consumer";

export type { EventConsumer } from "./consumer";

/**
 * Everything that reacts to change events. A new consumer (e.g. a platform reconciler) is one file
 * implementing EventConsumer plus its line here; dispatch-event runs them all in one transaction.
 */
export const eventConsumers: readonly EventConsumer[] = [webhooksConsumer, catalogSyncConsumer, accessPropagationConsumer];
