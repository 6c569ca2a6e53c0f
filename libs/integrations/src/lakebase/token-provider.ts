/**
 * The Lakebase password provider: an OAuth token per service principal, kept in this process's
 * memory only (never written anywhere: tokens are bearer credentials for the whole workspace), reused
 * until a margin before it expires and then fetched anew. Lakebase checks a token only at login, so a
 * session opened with a token outlives it; only new sessions need a current one.
 */
import { createHash } from "node:crypto";
import type { PasswordProvider } from "../postgres/password";
import { requestToken, tokenEndpoint } from "./oauth-token";

/** Refresh this long before expiry (Databricks tokens live an hour), or half the lifetime if shorter. */
const MAX_MARGIN_MS = 5 * 60_000;

export const refreshMarginMs = (lifetimeMs: number) => Math.min(MAX_MARGIN_MS, Math.floor(lifetimeMs / 2));

type Cached = { token: string; refreshAt: number; expiresAt: number };

/** Keyed by a digest of endpoint, client id and secret: a rotated secret never reuses an old token. */
const tokens = new Map<string, Cached>();
/** Concurrent sessions of one principal wait for one request instead of each fetching a token. */
const inflight = new Map<string, Promise<Cached>>();

export type LakebaseLogin = { workspaceUrl: string; clientId: string; clientSecret: string };
export type TokenProviderOptions = { now?: () => number; timeoutMs?: number };

export function lakebaseTokenProvider(login: LakebaseLogin, opts: TokenProviderOptions = {}): PasswordProvider {
  const now = opts.now ?? Date.now;
  const identity = createHash("sha256")
    .update([tokenEndpoint(login.workspaceUrl), login.clientId, login.clientSecret].join("\0"))
    .digest("hex");
  const fetchToken = async (): Promise<Cached> => {
    const started = now();
    const issued = await requestToken({ ...login, timeoutMs: opts.timeoutMs });
    // Counted from before the request: the token may have been issued at any point during it.
    const expiresAt = started + issued.expiresInMs;
    const cached = { token: issued.token, expiresAt, refreshAt: expiresAt - refreshMarginMs(issued.expiresInMs) };
    dropExpired(now());
    tokens.set(identity, cached);
    return cached;
  };
  return {
    identity,
    async current() {
      const cached = tokens.get(identity);
      if (cached && now() < cached.refreshAt) return cached.token;
      let pending = inflight.get(identity);
      if (!pending) {
        pending = fetchToken().finally(() => inflight.delete(identity));
        inflight.set(identity, pending);
      }
      return (await pending).token;
    },
    refused() {
      tokens.delete(identity);
    },
  };
}

function dropExpired(at: number): void {
  for (const [key, cached] of tokens) if (cached.expiresAt <= at) tokens.delete(key);
}

/** Forgets every cached token (tests; a process could call it on shutdown). */
export function forgetLakebaseTokens(): void {
  tokens.clear();
}
