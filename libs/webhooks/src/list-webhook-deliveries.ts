import { type Actor, decodeCursor, encodeCursor, type Page, type PageArgs, pageSize, parseInput, toPage } from "@steward/core";
import type { DeliveryStatus, Prisma, WebhookDeliveryModel } from "@steward/db";
import { requireAdmin, type WebhookDeps } from "./endpoint-view";
import { deliveryStatusFilter, webhookId } from "./validation";

export type DeliveryFilter = { status?: DeliveryStatus | null };
export type DeliveryPage = Page<WebhookDeliveryModel> & { edges: { cursor: string; node: WebhookDeliveryModel }[] };

const cursorOf = (d: WebhookDeliveryModel): [string, string] => [d.createdAt.toISOString(), d.id];

/** Newest first, keyset-paginated on (createdAt, id) so pages stay stable while deliveries arrive. */
export async function listWebhookDeliveries(
  deps: Pick<WebhookDeps, "db">,
  actor: Actor,
  endpointId: string,
  filter: DeliveryFilter,
  page: PageArgs,
): Promise<DeliveryPage> {
  requireAdmin(actor);
  const id = parseInput(webhookId, endpointId);
  const { status } = parseInput(deliveryStatusFilter, filter);
  const size = pageSize(page.first);
  const cursor = decodeCursor(page.after, 2);
  let after: Prisma.WebhookDeliveryWhereInput = {};
  if (cursor) {
    const [createdAtIso, lastId] = cursor as [string, string];
    const createdAt = new Date(createdAtIso);
    after = { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: lastId } }] };
  }
  const rows = await deps.db.webhookDelivery.findMany({
    where: { endpointId: id, status: status ?? undefined, ...after },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: size + 1,
  });
  const result = toPage(rows, size, cursorOf);
  return { ...result, edges: result.nodes.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node })) };
}
