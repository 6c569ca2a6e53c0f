import { createLogger, parseAddressList } from "@steward/core";
import { loadEnv } from "./env";
import { startWorker } from "./worker";

/**
 * Steward's background worker: relays the outbox to BullMQ, dispatches events to consumers, delivers
 * webhooks and re-queues anything Redis lost. Stops gracefully on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ name: "steward-worker", level: env.LOG_LEVEL });
  const worker = await startWorker({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    encryptionKeys: env.STEWARD_ENCRYPTION_KEYS,
    port: env.WORKER_PORT,
    config: env,
    metricsAccess: { allow: parseAddressList(env.METRICS_ALLOW), token: env.METRICS_TOKEN },
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
    worker.stop().then(
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
