import { type NextRequest, NextResponse } from "next/server";

/**
 * Same-origin GraphQL: the browser posts to /graphql here and Next rewrites it to the API, so the
 * API's httpOnly session cookie stays first-party. This is a runtime rewrite (read on every request)
 * rather than a next.config `rewrites()` entry, which Next bakes into the build output: one build can
 * then run against any API via STEWARD_API_URL.
 */
export function proxy(request: NextRequest) {
  const origin = (process.env.STEWARD_API_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, "");
  return NextResponse.rewrite(new URL(`/graphql${request.nextUrl.search}`, origin));
}

export const config = { matcher: "/graphql" };
