import http from "node:http";
import { seedDemoDataPolicies } from "@steward/access";
import { DEMO_CONNECTION_NAME, seedDemoWarehouse } from "@steward/catalog";
import { createLogger, parseKeyring, SecretBox } from "@steward/core";
import { createDb } from "@steward/db";
import { createRelyingParty, DEMO_PASSWORD, seedDemoIfEmpty } from "@steward/identity";
import { Redis } from "ioredis";
import type { ApiDeps } from "./context";
import { parseEnv } from "./env";
import { createMetrics } from "./metrics";
import { createAuditThrottle, createLoginRateLimiter, createScimRateLimiter } from "./rate-limit";
import { createApp } from "./server";

async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger({ name: "steward-api", level: env.LOG_LEVEL });
  const db = createDb({ url: env.DATABASE_URL, applicationName: "steward-api" });
  const redis = new Redis(env.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
  const secretBox = new SecretBox(parseKeyring(env.STEWARD_ENCRYPTION_KEYS));
  const deps: ApiDeps = {
    db,
    secretBox,
    logger,
    loginLimiter: createLoginRateLimiter(redis, env.RATE_LIMIT_PREFIX),
    scimLimiter: createScimRateLimiter(redis, env.RATE_LIMIT_PREFIX),
    refusalAudit: createAuditThrottle(redis, env.RATE_LIMIT_PREFIX),
    cookieSecure: env.SESSION_COOKIE_SECURE ? env.SESSION_COOKIE_SECURE === "true" : env.NODE_ENV === "production",
    allowSelfApproval: env.STEWARD_ALLOW_SELF_APPROVAL === "true",
    decisionsPublicUrl: env.DECISIONS_PUBLIC_URL,
    auth: {
      localPasswords: env.auth.localPasswords,
      oidc: env.auth.oidc ? createRelyingParty(env.auth.oidc, secretBox) : null,
    },
  };
  if (env.auth.oidc)
    logger.info({ issuer: env.auth.oidc.issuer.href, localPasswords: env.auth.localPasswords }, "single sign-on configured");

  if (env.STEWARD_DEMO_SEED === "1") {
    const seed = await seedDemoIfEmpty(db);
    if (seed.seeded) {
      const logins = seed.logins.map((l) => `${l.username} (${l.roles.join(", ") || "user"})`).join(", ");
      // The demo password is public (README): printed in the message, where log redaction does not apply.
      logger.info(`seeded demo users: ${logins}; password for all: ${DEMO_PASSWORD}`);
    }
    const warehouse = await seedDemoWarehouse(deps, env.DATABASE_URL, { dataOwnerUsernames: ["owen"] });
    if (warehouse.seeded) logger.info({ dataSources: warehouse.dataSources }, "seeded the demo warehouse connection");
    const demo = await db.connection.findFirst({ where: { name: DEMO_CONNECTION_NAME, deletedAt: null }, select: { id: true } });
    if (demo && (await seedDemoDataPolicies(db, demo.id)).seeded)
      logger.info(
        "seeded demo data policies: customer emails hashed except for HR and the purpose 'Customer research' (alice's project 'Churn study')",
      );
  }

  const httpServer = http.createServer();
  const { app } = await createApp({
    deps,
    redis,
    metrics: createMetrics(),
    httpServer,
    http: { trustedProxies: env.TRUSTED_PROXIES, metricsAllow: env.METRICS_ALLOW, metricsToken: env.METRICS_TOKEN },
  });
  httpServer.on("request", app);
  await new Promise<void>((resolve) => httpServer.listen(env.API_PORT, env.API_HOST, resolve));
  logger.info(`GraphQL API ready at http://localhost:${env.API_PORT}/graphql`);

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    httpServer.close();
    await Promise.allSettled([db.$disconnect(), redis.quit()]);
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
