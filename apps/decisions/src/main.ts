import { createLogger, parseAddressList } from "@steward/core";
import { loadEnv } from "./env";
import { startDecisionService } from "./service";

/**
 * Steward's decision service: answers query-time platforms (Trino's `opa` access control) from
 * in-memory snapshots and records the query audit. Stops gracefully on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ name: "steward-decisions", level: env.LOG_LEVEL });
  const tls =
    env.DECISIONS_TLS_CERT && env.DECISIONS_TLS_KEY && env.DECISIONS_TLS_CA
      ? { cert: env.DECISIONS_TLS_CERT, key: env.DECISIONS_TLS_KEY, ca: env.DECISIONS_TLS_CA }
      : undefined;
  const service = await startDecisionService({
    databaseUrl: env.DATABASE_URL,
    encryptionKeys: env.STEWARD_ENCRYPTION_KEYS,
    port: env.DECISIONS_PORT,
    config: env,
    metricsAccess: { allow: parseAddressList(env.METRICS_ALLOW), token: env.METRICS_TOKEN },
    tls,
    logger,
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, "graceful shutdown timed out; exiting");
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad environment): stderr is the only reliable channel here.
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
