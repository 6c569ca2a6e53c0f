import { randomBytes } from "node:crypto";
import { parseKeyring, SecretBox } from "@steward/core";
import { describe, expect, it } from "vitest";
import { openFlowState, sealFlowState } from "./flow-state";

const box = () => new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
const flow = {
  issuer: "https://idp.example.com/",
  clientId: "steward",
  state: "s".repeat(43),
  nonce: "n".repeat(43),
  codeVerifier: "v".repeat(43),
  next: "/users",
  expiresAt: Date.now() + 60_000,
};
const expect_ = { issuer: flow.issuer, clientId: flow.clientId };

describe("sealed sign-in flow", () => {
  it("round-trips and hides the verifier", () => {
    const b = box();
    const sealed = sealFlowState(b, flow);
    expect(sealed).not.toContain(flow.codeVerifier);
    expect(openFlowState(b, sealed, expect_)).toMatchObject(flow);
  });

  it("refuses a tampered, foreign-key, expired, other-client or non-flow envelope", () => {
    const b = box();
    const sealed = sealFlowState(b, flow);
    const flipped = sealed.slice(0, -2) + (sealed.endsWith("A") ? "B" : "A") + sealed.slice(-1);
    expect(openFlowState(b, flipped, expect_)).toBeNull();
    expect(openFlowState(box(), sealed, expect_)).toBeNull();
    expect(openFlowState(b, sealed, { ...expect_, now: flow.expiresAt })).toBeNull();
    expect(openFlowState(b, sealed, { ...expect_, clientId: "other" })).toBeNull();
    expect(openFlowState(b, sealed, { ...expect_, issuer: "https://evil.example.com/" })).toBeNull();
    expect(openFlowState(b, b.seal(JSON.stringify({ ...flow, purpose: "something-else" })), expect_)).toBeNull();
    expect(openFlowState(b, undefined, expect_)).toBeNull();
    expect(openFlowState(b, "garbage", expect_)).toBeNull();
  });
});
