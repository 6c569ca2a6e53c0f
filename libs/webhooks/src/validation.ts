import { fields } from "@steward/core";
import { EVENT_TYPES, isEventType } from "@steward/events";
import { z } from "zod";

/** Subscribes an endpoint to every event type, including ones added later. */
export const ALL_EVENTS = "*";

export const MAX_URL_LENGTH = 2048;

export const webhookUrl = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
      return;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: "must use http or https" });
    // Credentials in a URL end up in logs and the UI; receivers authenticate us by the signature instead.
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not contain credentials" });
    if (!url.hostname) ctx.addIssue({ code: "custom", message: "must have a host" });
  });

/**
 * Known event types or "*", at least one. Duplicates are dropped and "*" absorbs everything else,
 * so the stored list is canonical (and audit diffs stay meaningful).
 */
export const eventTypeList = z
  .array(
    z
      .string()
      .trim()
      .max(100, "must be at most 100 characters")
      .refine((t) => t === ALL_EVENTS || isEventType(t), { message: `must be "${ALL_EVENTS}" or one of: ${EVENT_TYPES.join(", ")}` }),
  )
  .min(1, "subscribe to at least one event type")
  .max(EVENT_TYPES.length + 1, "too many event types")
  .transform((types) => (types.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(types)].sort()));

export const webhookId = z.uuid("must be a valid id");
export const endpointRef = z.object({ id: webhookId });
export const deliveryRef = z.object({ deliveryId: webhookId });

export const createEndpointInput = z.object({
  url: webhookUrl,
  description: fields.description.nullish().transform((d) => d ?? ""),
  eventTypes: eventTypeList,
});

export const updateEndpointInput = z.object({
  id: webhookId,
  url: webhookUrl.nullish(),
  description: fields.description.nullish(),
  eventTypes: eventTypeList.nullish(),
  active: z.boolean().nullish(),
});

export const deliveryStatusFilter = z.object({ status: z.enum(["PENDING", "SUCCEEDED", "FAILED"]).nullish() });

/** Every event type an endpoint can subscribe to (for the API's webhookEventTypes query). */
export function subscribableEventTypes(): string[] {
  return [...EVENT_TYPES];
}
