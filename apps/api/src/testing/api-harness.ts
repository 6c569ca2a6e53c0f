/**
 * Runs the real API (express + Apollo) in-process on a random port, against a database cloned for
 * this test file and the real Redis. Tests talk to it over HTTP exactly like clients do.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, parseAddressList, parseKeyring, SecretBox, systemActor } from "@steward/core";
import { createTestDatabase, type TestDatabase } from "@steward/db/testing";
import { createUser, DEMO_PASSWORD } from "@steward/identity";
import { Redis } from "ioredis";
import type { ApiAuth, ApiDeps } from "../context";
import { createMetrics } from "../metrics";
import { createAuditThrottle, createLoginRateLimiter, createScimRateLimiter } from "../rate-limit";
import { createApp } from "../server";

export type GqlResult<T = Record<string, unknown>> = {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string; fields?: { path: string; message: string }[]; reason?: string } }[];
  headers: Headers;
};

export type Auth = { cookie?: string; bearer?: string };

export type TestApi = {
  url: string;
  testDb: TestDatabase;
  deps: ApiDeps;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, auth?: Auth): Promise<GqlResult<T>>;
  /** Creates a user with the given roles and returns a session cookie for them. */
  userWithRoles(roles: ("ADMIN" | "GOVERNOR" | "DATA_OWNER")[], username?: string): Promise<{ id: string; username: string; auth: Auth }>;
  login(username: string, password?: string): Promise<Auth>;
  close(): Promise<void>;
};

/** Optional HTTP settings, as the env would give them (e.g. `{ trustedProxies: "loopback" }`). */
export type TestApiOptions = { trustedProxies?: string; metricsAllow?: string; metricsToken?: string; auth?: ApiAuth };

export async function startTestApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const testDb = await createTestDatabase();
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 2 });
  const logger = createLogger({ name: "steward-api-test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const deps: ApiDeps = {
    db: testDb.db,
    secretBox: new SecretBox(parseKeyring(`k1:${randomBytes(32).toString("base64")}`)),
    logger,
    loginLimiter: createLoginRateLimiter(redis, `steward-test:${testDb.name}`),
    scimLimiter: createScimRateLimiter(redis, `steward-test:${testDb.name}`),
    refusalAudit: createAuditThrottle(redis, `steward-test:${testDb.name}`),
    cookieSecure: false,
    auth: opts.auth,
  };
  const httpServer = http.createServer();
  const { app } = await createApp({
    deps,
    redis,
    metrics: createMetrics(),
    httpServer,
    http: {
      trustedProxies: parseAddressList(opts.trustedProxies ?? ""),
      metricsAllow: parseAddressList(opts.metricsAllow ?? "loopback"),
      metricsToken: opts.metricsToken,
    },
  });
  httpServer.on("request", app);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

  async function gql<T>(query: string, variables?: Record<string, unknown>, auth: Auth = {}): Promise<GqlResult<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    const res = await fetch(`${url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: GqlResult["errors"] };
    return { status: res.status, data: body.data ?? null, errors: body.errors, headers: res.headers };
  }

  async function login(username: string, password = DEMO_PASSWORD): Promise<Auth> {
    const res = await gql(`mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { user { id } } }`, {
      u: username,
      p: password,
    });
    if (res.errors) throw new Error(`login failed for ${username}: ${JSON.stringify(res.errors)}`);
    const setCookie = res.headers.get("set-cookie") ?? "";
    return { cookie: setCookie.split(";")[0] };
  }

  let counter = 0;
  async function userWithRoles(roles: ("ADMIN" | "GOVERNOR" | "DATA_OWNER")[], username?: string) {
    const name = username ?? `u${++counter}-${roles.join("-").toLowerCase() || "consumer"}-${randomBytes(3).toString("hex")}`;
    const user = await createUser({ db: testDb.db }, systemActor("test"), {
      username: name,
      displayName: name,
      email: `${name}@example.com`,
      password: DEMO_PASSWORD,
      roles,
    });
    return { id: user.id, username: user.username, auth: await login(user.username) };
  }

  return {
    url,
    testDb,
    deps,
    gql,
    login,
    userWithRoles,
    async close() {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await closed;
      await redis.quit();
      await testDb.drop();
    },
  };
}
