/**
 * Drives a sign-in over HTTP the way a browser does: one cookie jar per origin, redirects followed by
 * hand (so tests can stop at, look at or tamper with any hop), and the provider's login form submitted.
 */
import { parseSetCookie } from "cookie";

export type Hop = { url: string; status: number; location: string | null; body: string };

export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(new URL(origin).origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const key = new URL(origin).origin;
    const jar = this.jars.get(key) ?? new Map<string, string>();
    jar.set(name, value);
    this.jars.set(key, jar);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body ? "POST" : "GET"), headers, body, redirect: "manual" });
    for (const raw of res.headers.getSetCookie()) {
      const c = parseSetCookie(raw);
      const expired = c.expires !== undefined && c.expires.getTime() <= Date.now();
      if (!c.value || expired || c.maxAge === 0) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    const location = res.headers.get("location");
    return { url, status: res.status, location: location ? new URL(location, url).href : null, body: await res.text() };
  }

  /** Follows redirects from `url` until a page answers or a URL matching `stopAt` is next; returns the last hop. */
  async follow(url: string, stopAt?: (next: string) => boolean): Promise<Hop> {
    let hop = await this.request(url);
    for (let i = 0; i < 20 && hop.location && !(stopAt?.(hop.location) ?? false); i++) hop = await this.request(hop.location);
    return hop;
  }

  /** Submits oidc-provider's development login form found in `page`. */
  async submitProviderLogin(page: Hop, login: string): Promise<Hop> {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.body)?.[1];
    if (!action) throw new Error(`no login form at ${page.url} (status ${page.status}): ${page.body.slice(0, 300)}`);
    return this.request(new URL(action.replace(/&amp;/g, "&"), page.url).href, {
      form: { prompt: "login", login, password: "any-password" },
    });
  }
}
