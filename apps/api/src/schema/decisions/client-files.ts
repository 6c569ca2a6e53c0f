import type { PlatformAdapter } from "@steward/integrations";

/** Where Trino and its kin reach the decision service when the deployment does not say. */
export const DEFAULT_DECISIONS_PUBLIC_URL = "http://127.0.0.1:4002";

/** Stands in for the token wherever the files are shown outside the one response that issues it. */
export const TOKEN_PLACEHOLDER = "TOKEN_ISSUED_BY_STEWARD";

export type DecisionClientFileModel = { fileName: string; content: string };

/**
 * The platform-side files that point a connection's platform at Steward, or null for kinds that are
 * not governed at query time. `token` is the placeholder everywhere but `issueDecisionToken`'s answer.
 */
export function decisionClientFiles(
  adapter: PlatformAdapter,
  input: { baseUrl: string; connectionId: string; token: string },
): DecisionClientFileModel[] | null {
  if (!adapter.capabilities.decisions || !adapter.decisions) return null;
  return adapter.decisions.clientConfig(input);
}
