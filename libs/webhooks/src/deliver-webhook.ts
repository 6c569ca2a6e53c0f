import type { Logger, SecretBox } from "@steward/core";
import { type Db, type DeliveryStatus, transaction } from "@steward/db";
import { signWebhook } from "./signature";

export type DeliverDeps = {
  db: Db;
  secretBox: SecretBox;
  /** Injectable for tests of odd transports; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Whole request budget: connect, headers and the (truncated) body read. */
  timeoutMs: number;
  logger: Logger;
};

export type DeliverOptions = {
  /** The round the caller's job was queued for; a job for an older round does nothing. */
  round?: number;
  /** When this attempt fails, mark the delivery FAILED instead of leaving it PENDING for a retry. */
  finalAttempt?: boolean;
};

export type DeliveryOutcome =
  | { kind: "skipped"; reason: "missing" | "already-succeeded" | "already-failed" | "superseded" }
  | { kind: "succeeded"; statusCode: number; durationMs: number }
  | { kind: "failed"; statusCode: number | null; error: string; durationMs: number; final: boolean };

export const USER_AGENT = "Steward-Webhooks/1";
const SNIPPET_BYTES = 256;
const MAX_ERROR_CHARS = 500;

type Attempt = { statusCode: number | null; error: string | null; durationMs: number };

/**
 * Sends one delivery once. Idempotent towards our own state (a SUCCEEDED delivery is never re-sent by
 * a duplicate job), but receivers still see at-least-once delivery: a crash after their 2xx and before
 * our commit re-sends the same event id, which is why receivers must deduplicate on `Steward-Event-Id`.
 */
export async function deliverWebhook(deps: DeliverDeps, deliveryId: string, opts: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const delivery = await deps.db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
  if (!delivery) return { kind: "skipped", reason: "missing" };
  if (delivery.status === "SUCCEEDED") return { kind: "skipped", reason: "already-succeeded" };
  if (delivery.status === "FAILED") return { kind: "skipped", reason: "already-failed" };
  if (opts.round !== undefined && opts.round !== delivery.round) return { kind: "skipped", reason: "superseded" };

  const log = deps.logger.child({
    deliveryId,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId.toString(),
    round: delivery.round,
  });
  const final = opts.finalAttempt ?? false;
  if (!delivery.endpoint.active) {
    // Disabled after the delivery was planned: give up without contacting it.
    const error = "endpoint is disabled";
    await record(deps.db, delivery.id, delivery.round, { statusCode: null, error, durationMs: 0 }, "FAILED");
    log.info("endpoint disabled; delivery abandoned");
    return { kind: "failed", statusCode: null, error, durationMs: 0, final: true };
  }

  const body = JSON.stringify({
    id: delivery.eventId.toString(),
    type: delivery.eventType,
    createdAt: delivery.eventCreatedAt.toISOString(),
    data: delivery.payload,
  });
  const started = performance.now();
  let attempt: Attempt;
  try {
    const secret = deps.secretBox.open(delivery.endpoint.secretCiphertext);
    const signature = signWebhook(secret, Math.floor(Date.now() / 1000), body);
    const res = await (deps.fetch ?? fetch)(delivery.endpoint.url, {
      method: "POST",
      body,
      // Redirects are not followed: a signed request must only ever reach the configured URL.
      redirect: "manual",
      signal: AbortSignal.timeout(deps.timeoutMs),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Steward-Event-Id": delivery.eventId.toString(),
        "Steward-Event-Type": delivery.eventType,
        "Steward-Delivery-Id": delivery.id,
        "Steward-Signature": signature,
      },
    });
    const ok = res.status >= 200 && res.status < 300;
    let snippet = "";
    if (ok) await res.body?.cancel();
    else snippet = await readSnippet(res);
    attempt = {
      statusCode: res.status,
      error: ok ? null : truncate(`HTTP ${res.status}${snippet ? `: ${snippet}` : ""}`),
      durationMs: elapsed(started),
    };
  } catch (err) {
    attempt = { statusCode: null, error: truncate(describeFailure(err, deps.timeoutMs)), durationMs: elapsed(started) };
  }

  const status: DeliveryStatus = attempt.error === null ? "SUCCEEDED" : final ? "FAILED" : "PENDING";
  await record(deps.db, delivery.id, delivery.round, attempt, status);
  if (attempt.error === null) {
    log.info({ statusCode: attempt.statusCode, durationMs: attempt.durationMs }, "webhook delivered");
    return { kind: "succeeded", statusCode: attempt.statusCode ?? 0, durationMs: attempt.durationMs };
  }
  // Non-final failures are routine (the receiver is retried); only giving up deserves a warning.
  log[final ? "warn" : "info"](
    { statusCode: attempt.statusCode, error: attempt.error, durationMs: attempt.durationMs, final },
    "webhook attempt failed",
  );
  return { kind: "failed", statusCode: attempt.statusCode, error: attempt.error, durationMs: attempt.durationMs, final };
}

async function record(db: Db, deliveryId: string, round: number, attempt: Attempt, status: DeliveryStatus): Promise<void> {
  const now = new Date();
  await transaction(db, async (tx) => {
    await tx.webhookDeliveryAttempt.create({ data: { deliveryId, ...attempt } });
    await tx.webhookDelivery.update({
      where: { id: deliveryId },
      data: { attempts: { increment: 1 }, lastStatusCode: attempt.statusCode, lastError: attempt.error, lastAttemptAt: now },
    });
    // Only the round we sent for may settle the status: a redelivery requested meanwhile stays PENDING.
    await tx.webhookDelivery.updateMany({
      where: { id: deliveryId, round, status: "PENDING" },
      data: { status, deliveredAt: status === "SUCCEEDED" ? now : undefined },
    });
  });
}

/** A short, single-line excerpt of an error response: enough to debug, never a stored copy of it. */
async function readSnippet(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that fails mid-read still leaves us the status code.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString("utf8");
  return text.replace(/\s+/g, " ").trim();
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return `timeout after ${timeoutMs} ms`;
  if (err instanceof Error) {
    // fetch wraps the useful part ("connect ECONNREFUSED ...", "bad port") in `cause`.
    const cause = err.cause instanceof Error ? (err.cause as Error & { code?: unknown }) : undefined;
    if (!cause) return err.message;
    return `${err.message}: ${cause.message}${typeof cause.code === "string" && !cause.message.includes(cause.code) ? ` (${cause.code})` : ""}`;
  }
  return String(err);
}

const truncate = (s: string) => (s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS - 1)}…` : s);
const elapsed = (started: number) => Math.round(performance.now() - started);
