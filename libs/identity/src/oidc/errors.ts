import { AppError, assertNever, type ErrorCode } from "@steward/core";

/** Every way a single sign-on can fail, each with its own message; the web app's login page shows it. */
export const OIDC_FAILURES = [
  "NOT_CONFIGURED",
  "PROVIDER_UNAVAILABLE",
  "FLOW_EXPIRED",
  "STATE_MISMATCH",
  "PROVIDER_REFUSED",
  "CODE_REJECTED",
  "NONCE_MISMATCH",
  "ID_TOKEN_INVALID",
  "CLAIMS_INVALID",
  "USER_UNKNOWN",
  "USER_INACTIVE",
  "ACCOUNT_CONFLICT",
] as const;

export type OidcFailure = (typeof OIDC_FAILURES)[number];

export function oidcFailureMessage(reason: OidcFailure): string {
  switch (reason) {
    case "NOT_CONFIGURED":
      return "Single sign-on is not configured for this deployment.";
    case "PROVIDER_UNAVAILABLE":
      return "The identity provider cannot be reached. Try again in a moment.";
    case "FLOW_EXPIRED":
      return "The sign-in took too long or was started in another browser. Start again.";
    case "STATE_MISMATCH":
      return "The sign-in response does not belong to the sign-in this browser started. Start again.";
    case "PROVIDER_REFUSED":
      return "The identity provider did not sign you in.";
    case "CODE_REJECTED":
      return "The identity provider refused the sign-in code (it may have been used already). Start again.";
    case "NONCE_MISMATCH":
      return "The identity provider's token was not issued for this sign-in. Start again.";
    case "ID_TOKEN_INVALID":
      return "The identity provider's token could not be verified.";
    case "CLAIMS_INVALID":
      return "The identity provider did not send what Steward needs (a subject and an email address).";
    case "USER_UNKNOWN":
      return "You have no Steward account yet, and accounts are not created on first sign-in here. Ask an administrator.";
    case "USER_INACTIVE":
      return "Your Steward account is deactivated.";
    case "ACCOUNT_CONFLICT":
      return "A Steward account with your email or username already exists but is not linked to this identity. Ask an administrator.";
    default:
      return assertNever(reason, "OIDC failure");
  }
}

function codeOf(reason: OidcFailure): ErrorCode {
  switch (reason) {
    case "NOT_CONFIGURED":
      return "NOT_FOUND";
    case "PROVIDER_UNAVAILABLE":
      return "INTERNAL";
    case "ACCOUNT_CONFLICT":
      return "CONFLICT";
    case "USER_UNKNOWN":
    case "USER_INACTIVE":
      return "FORBIDDEN";
    default:
      return "UNAUTHENTICATED";
  }
}

/** A typed single sign-on failure: an `AppError` whose `reason` is one of `OIDC_FAILURES`. */
export class OidcError extends AppError {
  declare readonly reason: OidcFailure;
  constructor(reason: OidcFailure, opts: { internal?: string; cause?: unknown } = {}) {
    super(codeOf(reason), oidcFailureMessage(reason), { ...opts, reason });
    this.name = "OidcError";
  }
}

export function isOidcFailure(value: unknown): value is OidcFailure {
  return typeof value === "string" && (OIDC_FAILURES as readonly string[]).includes(value);
}
