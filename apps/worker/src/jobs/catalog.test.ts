import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { JOB_NAMES, jobCatalog, jobDefinition } from "./catalog";

describe("job catalog", () => {
  it("derives deterministic ids BullMQ accepts (no ':' and not all digits)", () => {
    const deliveryId = randomUUID();
    const ids = [jobCatalog["dispatch-event"].jobId({ eventId: "42" }), jobCatalog["deliver-webhook"].jobId({ deliveryId, round: 2 })];
    expect(ids).toEqual(["event-42", `delivery-${deliveryId}-r2`]);
    for (const id of ids) {
      expect(id).not.toContain(":");
      expect(id).not.toMatch(/^\d+$/);
    }
  });
  it("rejects malformed payloads", () => {
    expect(jobDefinition("dispatch-event").schema.safeParse({ eventId: 42 }).success).toBe(false);
    expect(jobDefinition("dispatch-event").schema.safeParse({ eventId: "1; DROP" }).success).toBe(false);
    expect(jobDefinition("deliver-webhook").schema.safeParse({ deliveryId: randomUUID() }).success).toBe(false);
    expect(jobDefinition("deliver-webhook").schema.safeParse({ deliveryId: randomUUID(), round: 1 }).success).toBe(true);
  });
  it("names every job", () => {
    expect(JOB_NAMES.sort()).toEqual(["deliver-webhook", "dispatch-event", "reconcile-connection", "sync-connection"]);
  });
});
