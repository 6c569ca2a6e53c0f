import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures, Stripe-style: `Steward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `"<t>.<raw body>"`. Signing the timestamp with the body lets receivers reject replays of an old
 * (validly signed) request; the verifier is shared with inbound webhooks.
 */
export const SIGNATURE_SCHEME = "v1";
export const DEFAULT_TOLERANCE_SECONDS = 300;

type Body = string | Uint8Array;

function hmacHex(secret: string, timestamp: number, body: Body): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** `timestamp` is unix seconds (defaults to now). */
export function signWebhook(secret: string, timestamp: number, body: Body): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error("timestamp must be unix seconds");
  return `t=${timestamp},${SIGNATURE_SCHEME}=${hmacHex(secret, timestamp, body)}`;
}

export type SignatureCheck = { valid: true; timestamp: number } | { valid: false; reason: "malformed" | "stale" | "mismatch" };

export type VerifyOptions = {
  /** Maximum allowed distance between the signed timestamp and now, either direction. */
  toleranceSeconds?: number;
  /** Unix seconds; for tests. */
  now?: number;
};

/**
 * Verifies a signature header against the raw request body (verify the bytes you received, before any
 * JSON parsing). Several `v1=` entries are accepted so a sender can sign with two secrets while rotating.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: Body,
  opts: VerifyOptions = {},
): SignatureCheck {
  if (!header || header.length > 1024) return { valid: false, reason: "malformed" };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const idx = part.indexOf("=");
    if (idx <= 0) return { valid: false, reason: "malformed" };
    const key = part.slice(0, idx).trim();
    const value = part.slice(idx + 1).trim();
    if (key === "t") {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return { valid: false, reason: "malformed" };
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME) {
      if (!/^[0-9a-f]{64}$/.test(value)) return { valid: false, reason: "malformed" };
      candidates.push(value);
    }
    // Unknown schemes are ignored so a future v2 can be added alongside v1.
  }
  if (timestamp === undefined || candidates.length === 0) return { valid: false, reason: "malformed" };

  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: "stale" };

  const expected = Buffer.from(hmacHex(secret, timestamp, body), "hex");
  // Compare every candidate (no early exit) so timing does not reveal which one matched.
  let matched = false;
  for (const candidate of candidates) {
    matched = timingSafeEqual(expected, Buffer.from(candidate, "hex")) || matched;
  }
  return matched ? { valid: true, timestamp } : { valid: false, reason: "mismatch" };
}
