import { AppError } from "@steward/core";
import { isOidcFailure, OidcError, signInWithOidc } from "@steward/identity";
import { parseCookie } from "cookie";
import type express from "express";
import type { ApiDeps } from "./context";
import { SESSION_COOKIE } from "./schema/auth/resolvers";

/** Holds the sealed state of a sign-in in progress (see libs/identity oidc/flow-state.ts), only on these paths. */
export const OIDC_FLOW_COOKIE = "steward_oidc_flow";
const FLOW_COOKIE_PATH = "/auth/oidc";

/** Only same-site paths: never bounce to another origin after signing in. */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\") || raw.startsWith("/login"))
    return "/";
  return raw.slice(0, 1000);
}

/** The web app's login page, saying why single sign-on failed (relative: the browser is on the web origin). */
function loginPageFor(reason: string): string {
  return `/login?sso_error=${encodeURIComponent(reason)}`;
}

/**
 * `GET /auth/oidc/login` sends the browser to the provider; `GET /auth/oidc/callback` verifies its answer,
 * signs the person in exactly like a password login (same session cookie) and returns them to the web app.
 * The web app forwards both paths here (same origin), so the cookies are first-party. Failures land on the
 * login page with a typed reason.
 */
export function mountOidcRoutes(app: express.Express, deps: ApiDeps): void {
  const flowCookie = (maxAge?: number) => ({
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level GET navigation, which carries Lax cookies.
    sameSite: "lax" as const,
    secure: deps.cookieSecure,
    path: FLOW_COOKIE_PATH,
    ...(maxAge ? { maxAge } : {}),
  });

  function fail(res: express.Response, err: unknown, requestId: string): void {
    res.clearCookie(OIDC_FLOW_COOKIE, flowCookie());
    const reason = err instanceof AppError && isOidcFailure(err.reason) ? err.reason : "ERROR";
    const log = deps.logger.child({ requestId });
    if (reason === "ERROR") log.error({ err }, "single sign-on failed");
    else log.warn({ reason, detail: err instanceof Error ? err.message : String(err) }, "single sign-on refused");
    res.redirect(302, loginPageFor(reason));
  }

  app.get("/auth/oidc/login", async (req, res) => {
    const requestId = String(res.locals.requestId);
    const rp = deps.auth?.oidc;
    if (!rp) return fail(res, new OidcError("NOT_CONFIGURED"), requestId);
    try {
      const { redirectTo, flowCookie: sealed, maxAgeMs } = await rp.begin(safeNextPath(req.query.next));
      res.cookie(OIDC_FLOW_COOKIE, sealed, flowCookie(maxAgeMs));
      res.setHeader("cache-control", "no-store");
      res.redirect(302, redirectTo.href);
    } catch (err) {
      fail(res, err, requestId);
    }
  });

  app.get("/auth/oidc/callback", async (req, res) => {
    const requestId = String(res.locals.requestId);
    const rp = deps.auth?.oidc;
    if (!rp) return fail(res, new OidcError("NOT_CONFIGURED"), requestId);
    try {
      const query = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?") + 1) : "";
      const verified = await rp.complete(parseCookie(req.headers.cookie ?? "")[OIDC_FLOW_COOKIE], query);
      const session = await signInWithOidc(deps, rp.settings, verified, {
        userAgent: req.header("user-agent"),
        ip: req.ip,
        requestId,
      });
      res.clearCookie(OIDC_FLOW_COOKIE, flowCookie());
      res.cookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: "lax",
        secure: deps.cookieSecure,
        path: "/",
        expires: session.expiresAt,
      });
      res.setHeader("cache-control", "no-store");
      res.redirect(302, safeNextPath(verified.next));
    } catch (err) {
      fail(res, err, requestId);
    }
  });
}
