import type { NextRequest } from "next/server";
import { forwardGraphql } from "@/lib/graphql-forward";

/**
 * Same-origin GraphQL: the browser posts to /graphql here and this forwards it to the API, so the
 * API's httpOnly session cookie stays first-party. The target is read on every request (not a
 * next.config `rewrites()` entry, which Next bakes into the build output), so one build can run
 * against any API via STEWARD_API_URL. Forwarding ourselves rather than rewriting lets a query whose
 * connection was reset be retried once (see forwardGraphql).
 */
export function proxy(request: NextRequest) {
  return forwardGraphql(request, { apiUrl: process.env.STEWARD_API_URL ?? "http://127.0.0.1:4000" });
}

export const config = { matcher: "/graphql" };
