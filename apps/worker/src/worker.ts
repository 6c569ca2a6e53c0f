import { type Logger, parseKeyring, SecretBox } from "@steward/core";
import { createDb } from "@steward/db";
import { Redis } from "ioredis";
import type { WorkerConfig, WorkerContext } from "./context";
import { type MetricsAccess, probe, startHttpServer } from "./http-server";
import { startJobWorkers } from "./jobs/runner";
import { accessSweepPass } from "./loops/access-sweeper";
import { DELIVERY_NOTIFY_CHANNEL, sweepPendingDeliveries } from "./loops/delivery-sweep";
import { outboxPrunePass } from "./loops/outbox-pruner";
import { OUTBOX_NOTIFY_CHANNEL, relayOutboxBatch } from "./loops/outbox-relay";
import { startPgListener } from "./loops/pg-listener";
import { startPollLoop } from "./loops/poll-loop";
import { syncSchedulerPass } from "./loops/sync-scheduler";
import { createMetrics } from "./metrics";
import { closeQueues, createQueues, enqueue } from "./queues";

export type WorkerOptions = {
  databaseUrl: string;
  redisUrl: string;
  encryptionKeys: string;
  /** 0 picks a free port (tests). */
  port: number;
  config: WorkerConfig;
  /** Who may read /metrics; loopback only when not given. */
  metricsAccess?: MetricsAccess;
  logger: Logger;
};

export type RunningWorker = { port: number; context: WorkerContext; stop(): Promise<void> };

/** Wires the worker together; `main.ts` adds the process concerns (env, signals, exit codes). */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = opts;
  const db = createDb({ url: opts.databaseUrl, poolSize: 10, applicationName: "steward-worker" });
  // BullMQ's workers block on Redis and must never give up a command (maxRetriesPerRequest: null);
  // producers (relay, dispatch, sweep) should fail fast instead, so a Redis outage surfaces as a failed
  // pass that is retried, not as a relay transaction hanging while it holds row locks.
  const consumerRedis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, connectionName: "steward-worker" });
  const producerRedis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3, connectionName: "steward-worker-producer" });
  for (const r of [consumerRedis, producerRedis]) r.on("error", (err) => logger.warn({ err: err.message }, "redis connection error"));
  const metrics = createMetrics();
  const queues = createQueues(producerRedis, config);
  const context: WorkerContext = {
    db,
    secretBox: new SecretBox(parseKeyring(opts.encryptionKeys)),
    logger,
    metrics,
    config,
    enqueue: (requests) => enqueue(queues, config, requests),
  };

  metrics.gauge("steward_outbox_lag_seconds", "Age of the oldest unprocessed outbox event (0 when none)", async (g) => {
    const [row] = await db.$queryRaw<{ age: number | null }[]>`
      SELECT EXTRACT(EPOCH FROM now() - min("createdAt"))::float8 AS age FROM "OutboxEvent" WHERE "processedAt" IS NULL`;
    g.set(row?.age ?? 0);
  });
  metrics.gauge("steward_webhook_deliveries_pending", "Webhook deliveries waiting to be sent or retried", async (g) => {
    g.set(await db.webhookDelivery.count({ where: { status: "PENDING" } }));
  });

  const workers = startJobWorkers(context, consumerRedis);
  const relay = startPollLoop({
    name: "outbox-relay",
    logger,
    idleMs: config.OUTBOX_POLL_MS,
    pass: () => relayOutboxBatch(context, queues),
  });
  const sweep = startPollLoop({
    name: "delivery-sweep",
    logger,
    idleMs: config.DELIVERY_SWEEP_MS,
    pass: () => sweepPendingDeliveries(context, queues),
  });
  const scheduler = startPollLoop({
    name: "sync-scheduler",
    logger,
    idleMs: config.SYNC_SCHEDULER_MS,
    pass: () => syncSchedulerPass(context),
  });
  const accessSweep = startPollLoop({
    name: "access-sweeper",
    logger,
    idleMs: config.ACCESS_SWEEP_MS,
    pass: () => accessSweepPass(context),
  });
  const prune = startPollLoop({
    name: "outbox-pruner",
    logger,
    idleMs: config.OUTBOX_PRUNE_MS,
    pass: () => outboxPrunePass(context),
  });
  const listener = startPgListener({
    url: opts.databaseUrl,
    logger,
    channels: { [OUTBOX_NOTIFY_CHANNEL]: () => relay.wake(), [DELIVERY_NOTIFY_CHANNEL]: () => sweep.wake() },
  });
  const http = await startHttpServer({
    port: opts.port,
    logger,
    registry: metrics.registry,
    metricsAccess: opts.metricsAccess,
    readiness: async () => ({
      database: await probe(() => db.$queryRaw`SELECT 1`),
      redis: await probe(() => producerRedis.ping()),
    }),
  });
  logger.info({ port: http.port, prefix: config.QUEUE_PREFIX }, "worker started");

  return {
    port: http.port,
    context,
    async stop() {
      // Producers first (no new jobs), then consumers (BullMQ waits for active jobs), then connections.
      await Promise.all([relay.stop(), sweep.stop(), scheduler.stop(), accessSweep.stop(), prune.stop(), listener.stop()]);
      await Promise.all(workers.map((w) => w.close()));
      await closeQueues(queues);
      await http.close();
      await db.$disconnect();
      await Promise.all([consumerRedis, producerRedis].map((r) => r.quit().catch(() => r.disconnect())));
      logger.info("worker stopped");
    },
  };
}
