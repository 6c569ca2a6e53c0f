/**
 * Forwards the single sign-on paths (/auth/oidc/login, /auth/oidc/callback) to the API unchanged: the
 * browser stays on the web app's origin, so the flow and session cookies the API sets are first-party
 * and the provider's redirect lands here. Redirects are passed back to the browser, never followed.
 */
export async function forwardAuth(request: Request, opts: { apiUrl: string }): Promise<Response> {
  const incoming = new URL(request.url);
  const target = `${opts.apiUrl.replace(/\/+$/, "")}${incoming.pathname}${incoming.search}`;
  const headers = new Headers();
  for (const name of ["cookie", "user-agent", "accept", "accept-language", "x-request-id"]) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  let upstream: Response;
  try {
    upstream = await fetch(target, { method: "GET", headers, redirect: "manual" });
  } catch {
    return Response.redirect(new URL("/login?sso_error=API_UNREACHABLE", request.url), 302);
  }
  const out = new Headers();
  for (const name of ["cache-control", "content-type", "x-request-id"]) {
    const value = upstream.headers.get(name);
    if (value) out.set(name, value);
  }
  // The API redirects to paths of the web app ("/login?…", "/users"); Next.js accepts only absolute ones.
  const location = upstream.headers.get("location");
  if (location) out.set("location", new URL(location, request.url).href);
  for (const cookie of upstream.headers.getSetCookie()) out.append("set-cookie", cookie);
  return new Response(upstream.body, { status: upstream.status, headers: out });
}
