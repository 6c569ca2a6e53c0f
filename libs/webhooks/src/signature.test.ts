import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "./signature";

const secret = "whsec_test";
const body = '{"id":"1","type":"webhook.ping"}';
const now = 1_800_000_000;

describe("signWebhook", () => {
  it("produces t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>", () => {
    const expected = createHmac("sha256", secret).update(`${now}.${body}`).digest("hex");
    expect(signWebhook(secret, now, body)).toBe(`t=${now},v1=${expected}`);
  });
  it("signs bytes and strings identically", () => {
    expect(signWebhook(secret, now, Buffer.from(body))).toBe(signWebhook(secret, now, body));
  });
  it("rejects non-second timestamps", () => {
    expect(() => signWebhook(secret, Date.now() + 0.5, body)).toThrow();
  });
});

describe("verifyWebhookSignature", () => {
  const header = signWebhook(secret, now, body);

  it("accepts a fresh, matching signature", () => {
    expect(verifyWebhookSignature(secret, header, body, { now })).toEqual({ valid: true, timestamp: now });
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), { now: now + 299 })).toMatchObject({ valid: true });
  });
  it("rejects a tampered body", () => {
    expect(verifyWebhookSignature(secret, header, body.replace("ping", "pong"), { now })).toEqual({ valid: false, reason: "mismatch" });
  });
  it("rejects the wrong secret", () => {
    expect(verifyWebhookSignature("whsec_other", header, body, { now })).toEqual({ valid: false, reason: "mismatch" });
  });
  it("rejects a tampered timestamp (the signature covers it)", () => {
    const forged = header.replace(`t=${now}`, `t=${now + 10}`);
    expect(verifyWebhookSignature(secret, forged, body, { now })).toEqual({ valid: false, reason: "mismatch" });
  });
  it("rejects stale and far-future timestamps", () => {
    expect(verifyWebhookSignature(secret, header, body, { now: now + 301 })).toEqual({ valid: false, reason: "stale" });
    expect(verifyWebhookSignature(secret, header, body, { now: now - 301 })).toEqual({ valid: false, reason: "stale" });
    expect(verifyWebhookSignature(secret, header, body, { now: now + 20, toleranceSeconds: 10 })).toEqual({
      valid: false,
      reason: "stale",
    });
  });
  it("accepts any of several v1 signatures (secret rotation on the sender side)", () => {
    const other = signWebhook("whsec_old", now, body).split(",")[1];
    expect(verifyWebhookSignature(secret, `${header},${other}`, body, { now })).toMatchObject({ valid: true });
    expect(verifyWebhookSignature(secret, `t=${now},${other}`, body, { now })).toMatchObject({ valid: false, reason: "mismatch" });
  });
  it.each([
    [undefined],
    [""],
    ["garbage"],
    [`t=${now}`],
    [`v1=${"a".repeat(64)}`],
    [`t=abc,v1=${"a".repeat(64)}`],
    [`t=${now},v1=zz`],
    [`t=${now},t=${now},v1=${"a".repeat(64)}`],
    ["x".repeat(2000)],
  ])("rejects malformed header %#", (h) => {
    expect(verifyWebhookSignature(secret, h, body, { now })).toEqual({ valid: false, reason: "malformed" });
  });
});
