import { constantTimeEqual, type SecretBox } from "@steward/core";
import * as client from "openid-client";
import type { Claims } from "./claims";
import { OidcError } from "./errors";
import { FLOW_TTL_MS, openFlowState, sealFlowState } from "./flow-state";
import type { OidcSettings } from "./settings";

/** What a verified sign-in yields: the issuer, the ID token's claims merged with the provider's userinfo. */
export type VerifiedSignIn = { issuer: string; subject: string; claims: Claims; next: string };

export type OidcRelyingParty = {
  readonly settings: OidcSettings;
  /** Starts a sign-in: where to send the browser, and the sealed flow to keep in a short-lived cookie. */
  begin(next: string): Promise<{ redirectTo: URL; flowCookie: string; maxAgeMs: number }>;
  /** Verifies the provider's callback (query string as received) against the flow this browser started. */
  complete(flowCookie: string | undefined, callbackQuery: string): Promise<VerifiedSignIn>;
};

/**
 * The relying party (authorization-code flow with PKCE, state and nonce) on openid-client. Discovery
 * runs on first use and is cached; a failed discovery is retried on the next sign-in, so Steward starts
 * even while the provider is down.
 */
export function createRelyingParty(settings: OidcSettings, box: SecretBox): OidcRelyingParty {
  let discovered: Promise<client.Configuration> | null = null;
  const issuerId = settings.issuer.href;

  function configuration(): Promise<client.Configuration> {
    if (!discovered) {
      const auth = settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None();
      discovered = client
        .discovery(settings.issuer, settings.clientId, { client_secret: settings.clientSecret }, auth, {
          timeout: settings.timeoutSeconds,
          execute: settings.allowInsecureHttp ? [client.allowInsecureRequests] : [],
        })
        .catch((err: unknown) => {
          discovered = null;
          throw toOidcError(err);
        });
    }
    return discovered;
  }

  return {
    settings,
    async begin(next) {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const redirectTo = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri.href,
        scope: settings.scopes.join(" "),
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      const flowCookie = sealFlowState(box, {
        issuer: issuerId,
        clientId: settings.clientId,
        state,
        nonce,
        codeVerifier,
        next,
        expiresAt: Date.now() + FLOW_TTL_MS,
      });
      return { redirectTo, flowCookie, maxAgeMs: FLOW_TTL_MS };
    },

    async complete(flowCookie, callbackQuery) {
      const flow = openFlowState(box, flowCookie, { issuer: issuerId, clientId: settings.clientId });
      if (!flow) throw new OidcError("FLOW_EXPIRED");
      const params = new URLSearchParams(callbackQuery);
      // Checked before anything reaches the provider: a response for another browser's sign-in stops here.
      if (!constantTimeEqual(params.get("state") ?? "", flow.state)) throw new OidcError("STATE_MISMATCH");
      const config = await configuration();
      // The token request must name the registered redirect URI, not the address this process was reached at.
      const currentUrl = new URL(settings.redirectUri);
      currentUrl.search = params.toString();
      try {
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new OidcError("ID_TOKEN_INVALID", { internal: "no ID token in the token response" });
        let userinfo: Claims = {};
        if (config.serverMetadata().userinfo_endpoint) {
          userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        }
        // The ID token is authoritative for who signed in; userinfo adds profile claims (groups, email…).
        const claims: Claims = { ...userinfo, ...idClaims };
        return { issuer: idClaims.iss, subject: idClaims.sub, claims, next: flow.next };
      } catch (err) {
        throw toOidcError(err);
      }
    },
  };
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "UND_ERR_SOCKET"]);

function unreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === "string" && UNREACHABLE.has(code)) return true;
    if (name === "TimeoutError" || name === "AbortError") return true;
  }
  return false;
}

/** Sorts what openid-client throws into the typed failures the login page explains. */
export function toOidcError(err: unknown): OidcError {
  if (err instanceof OidcError) return err;
  const internal = err instanceof Error ? err.message : String(err);
  if (unreachable(err)) return new OidcError("PROVIDER_UNAVAILABLE", { internal, cause: err });
  if (err instanceof client.AuthorizationResponseError) return new OidcError("PROVIDER_REFUSED", { internal, cause: err });
  if (err instanceof client.ResponseBodyError) {
    if (err.error === "invalid_grant") return new OidcError("CODE_REJECTED", { internal, cause: err });
    if (err.status >= 500) return new OidcError("PROVIDER_UNAVAILABLE", { internal, cause: err });
    return new OidcError("PROVIDER_REFUSED", { internal, cause: err });
  }
  if (err instanceof client.ClientError) {
    const detail = (err.cause as { cause?: { claim?: unknown } } | undefined)?.cause;
    if (detail?.claim === "nonce") return new OidcError("NONCE_MISMATCH", { internal, cause: err });
    if (err.code === "OAUTH_RESPONSE_IS_NOT_CONFORM" || err.code === "OAUTH_RESPONSE_IS_NOT_JSON")
      return new OidcError("PROVIDER_UNAVAILABLE", { internal, cause: err });
    return new OidcError("ID_TOKEN_INVALID", { internal, cause: err });
  }
  return new OidcError("PROVIDER_UNAVAILABLE", { internal, cause: err });
}
