import type { SecretBox } from "@steward/core";
import { z } from "zod";

/** How long a started sign-in may take at the provider before its callback is refused. */
export const FLOW_TTL_MS = 10 * 60 * 1000;

/**
 * What the callback needs from the login that started it: kept in the browser, sealed (AES-256-GCM
 * through the deployment's SecretBox) so it can be neither read nor forged, and bound to this issuer
 * and client so a cookie from another configuration is refused.
 */
const FlowState = z.object({
  purpose: z.literal("oidc-flow"),
  issuer: z.string(),
  clientId: z.string(),
  state: z.string().min(16),
  nonce: z.string().min(16),
  codeVerifier: z.string().min(43),
  next: z.string(),
  expiresAt: z.number(),
});

export type FlowState = z.infer<typeof FlowState>;

export function sealFlowState(box: SecretBox, flow: Omit<FlowState, "purpose">): string {
  return box.seal(JSON.stringify({ purpose: "oidc-flow", ...flow } satisfies FlowState));
}

/** The flow sealed in `envelope` when it is intact, for this issuer/client and not expired; otherwise null. */
export function openFlowState(
  box: SecretBox,
  envelope: string | undefined,
  expect: { issuer: string; clientId: string; now?: number },
): FlowState | null {
  if (!envelope || envelope.length > 4096) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(box.open(envelope));
  } catch {
    return null;
  }
  const flow = FlowState.safeParse(parsed);
  if (!flow.success) return null;
  const { data } = flow;
  if (data.issuer !== expect.issuer || data.clientId !== expect.clientId) return null;
  if (data.expiresAt <= (expect.now ?? Date.now())) return null;
  return data;
}
