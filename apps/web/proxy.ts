import type { NextRequest } from "next/server";
import { forwardAuth } from "@/lib/auth-forward";
import { forwardGraphql } from "@/lib/graphql-forward";

/**
 * Same-origin API: the browser posts to /graphql and follows single sign-on through /auth/oidc/* here,
 * and this forwards them to the API, so the API's httpOnly cookies stay first-party. The target is read
 * on every request (not a next.config `rewrites()` entry, which Next bakes into the build output), so
 * one build can run against any API via STEWARD_API_URL. Forwarding ourselves rather than rewriting lets
 * a query whose connection was reset be retried once (see forwardGraphql).
 */
export function proxy(request: NextRequest) {
  const apiUrl = process.env.STEWARD_API_URL ?? "http://127.0.0.1:4000";
  if (request.nextUrl.pathname.startsWith("/auth/oidc/")) return forwardAuth(request, { apiUrl });
  return forwardGraphql(request, { apiUrl });
}

export const config = { matcher: ["/graphql", "/auth/oidc/:path*"] };
