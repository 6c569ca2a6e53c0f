/**
 * A small client for the Unity Catalog REST API (`/api/2.1/unity-catalog`), the same on Databricks
 * and on the OSS server. Every failure is a UcApiError with a code from errors.ts; transient ones
 * (unreachable, timeout, 429, 5xx) are retried a few times with backoff before they are raised.
 */
import type { UcConfig, UcCredentials } from "./config";

export type UcErrorCode =
  | "UNREACHABLE"
  | "TIMEOUT"
  | "RATE_LIMITED"
  | "SERVER_ERROR"
  | "AUTH_FAILED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "BAD_REQUEST"
  | "INVALID_CONFIG"
  | "INVALID_INPUT";

export class UcApiError extends Error {
  constructor(
    readonly code: UcErrorCode,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "UcApiError";
  }
}

export const API_PREFIX = "/api/2.1/unity-catalog";

/** Securable types Steward touches (path values of the permissions API). */
export type SecurableType = "catalog" | "schema" | "table";

export type PrivilegeAssignment = { principal: string; privileges: string[] };
export type PermissionsChange = { principal: string; add: string[]; remove: string[] };

/**
 * `catalog.schema.table` for a REST path: each part URL-encoded. A part holding a dot cannot be told
 * apart from two parts in `full_name`, so it is refused rather than sent.
 */
export function fullNamePath(parts: readonly string[]): string {
  if (parts.length === 0 || parts.length > 3) throw new UcApiError("INVALID_INPUT", `not a UC name: ${JSON.stringify(parts)}`);
  for (const p of parts) {
    if (typeof p !== "string" || p.length === 0 || p.length > 255)
      throw new UcApiError("INVALID_INPUT", `UC name part must be 1 to 255 characters: ${JSON.stringify(p)}`);
    if (p.includes(".")) throw new UcApiError("INVALID_INPUT", `UC name part contains a dot: ${JSON.stringify(p)}`);
    if (/\p{Cc}/u.test(p) || !p.isWellFormed())
      throw new UcApiError("INVALID_INPUT", `UC name part contains control characters: ${JSON.stringify(p)}`);
  }
  return parts.map((p) => encodeURIComponent(p)).join(".");
}

const RETRY_DELAYS_MS = [100, 400];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function statusError(status: number, body: string, what: string): UcApiError {
  let message = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error_code?: unknown };
    if (typeof parsed.message === "string") message = `${parsed.error_code ?? ""} ${parsed.message.split("\n")[0]}`.trim();
  } catch {
    // not JSON: keep the text
  }
  const text = `${what}: HTTP ${status} ${message}`;
  if (status === 401) return new UcApiError("AUTH_FAILED", `${text} (token missing, wrong or expired)`, status);
  if (status === 403) return new UcApiError("PERMISSION_DENIED", text, status);
  if (status === 404) return new UcApiError("NOT_FOUND", text, status);
  if (status === 429) return new UcApiError("RATE_LIMITED", text, status);
  // The OSS server answers 500 when it cannot parse a privilege (e.g. Databricks' USE_CATALOG): a
  // connection set to the wrong flavor, which no retry fixes.
  if (/Privilege`?, problem: Unexpected value/.test(body))
    return new UcApiError(
      "INVALID_CONFIG",
      `${text} (the server spells privileges differently: check the connection's server flavor)`,
      status,
    );
  if (status >= 500) return new UcApiError("SERVER_ERROR", text, status);
  return new UcApiError("BAD_REQUEST", text, status);
}

export type UcClient = {
  /** Every request sent (including retries), for counts and benchmarks. */
  readonly sent: { count: number };
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  /** Follows `next_page_token` until it is absent (a page may be empty and still carry one). */
  list<T>(path: string, key: string, query?: Record<string, string | undefined>): Promise<T[]>;
  getPermissions(type: SecurableType, parts: readonly string[]): Promise<PrivilegeAssignment[]>;
  updatePermissions(type: SecurableType, parts: readonly string[], changes: PermissionsChange[]): Promise<void>;
};

export function createUcClient(config: UcConfig, credentials: UcCredentials, fetchImpl: typeof fetch = fetch): UcClient {
  const sent = { count: 0 };
  const base = `${config.url}${API_PREFIX}`;
  const databricks = config.flavor === "DATABRICKS";

  async function once(method: string, path: string, body: unknown, query?: Record<string, string | undefined>): Promise<unknown> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const what = `${method} ${path}`;
    sent.count++;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${credentials.token}`, accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === "TimeoutError" || e.name === "AbortError")
        throw new UcApiError("TIMEOUT", `${what}: no answer from ${config.url} within ${config.timeoutMs} ms`);
      throw new UcApiError("UNREACHABLE", `${what}: ${config.url} is unreachable (${e.cause?.code ?? e.message})`);
    }
    const text = await res.text();
    if (!res.ok) throw statusError(res.status, text, what);
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new UcApiError("SERVER_ERROR", `${what}: the answer is not JSON: ${text.slice(0, 200)}`, res.status);
    }
  }

  async function request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await once(method, path, body, query)) as T;
      } catch (err) {
        const transient = err instanceof UcApiError && ["UNREACHABLE", "TIMEOUT", "RATE_LIMITED", "SERVER_ERROR"].includes(err.code);
        const delay = RETRY_DELAYS_MS[attempt];
        if (!transient || delay === undefined) throw err;
        await sleep(delay);
      }
    }
  }

  const get = <T>(path: string, query?: Record<string, string | undefined>) => request<T>("GET", path, undefined, query);

  async function list<T>(path: string, key: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const res = await get<Record<string, unknown> | null>(path, { ...query, page_token: token });
      const items = res?.[key];
      if (Array.isArray(items)) out.push(...(items as T[]));
      const next = res?.next_page_token;
      if (typeof next !== "string" || next === "" || next === token) return out;
      token = next;
    }
    throw new UcApiError("SERVER_ERROR", `${path}: pagination did not end`);
  }

  return {
    sent,
    get,
    patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
    list,
    async getPermissions(type, parts) {
      const path = `/permissions/${type}/${fullNamePath(parts)}`;
      // Databricks asks for max_results=0 (unpaginated calls are deprecated); the OSS server has no paging.
      const pages = await list<PrivilegeAssignment>(path, "privilege_assignments", databricks ? { max_results: "0" } : {});
      return pages.filter((a) => typeof a?.principal === "string" && Array.isArray(a.privileges));
    },
    async updatePermissions(type, parts, changes) {
      await request("PATCH", `/permissions/${type}/${fullNamePath(parts)}`, { changes });
    },
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; stops starting new ones after a failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== null) throw failed;
  return out;
}
