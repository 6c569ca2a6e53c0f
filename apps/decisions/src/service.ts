import { DECISIONS_NOTIFY_CHANNEL, HASH_SALT_LABEL, pruneDecisionRecords } from "@steward/access";
import { type Logger, parseKeyring, SecretBox } from "@steward/core";
import { createDb } from "@steward/db";
import { type AdapterLookup, adapterFor } from "@steward/integrations";
import pg from "pg";
import { pgDecisionRecordWriter, startAuditRecorder } from "./audit-recorder";
import { createDecisionHandler, type OutagePolicy } from "./decision-handler";
import type { DecisionsEnv } from "./env";
import { type MetricsAccess, startHttpServer, type TlsFiles } from "./http-server";
import { createMetrics } from "./metrics";
import { startPgListener } from "./pg-listener";
import { createSnapshotCache, type SnapshotCache } from "./snapshot-cache";

export type DecisionServiceConfig = Pick<
  DecisionsEnv,
  | "DECISIONS_ON_OUTAGE"
  | "DECISIONS_STALE_AFTER_MS"
  | "DECISIONS_POLL_MS"
  | "DECISIONS_BODY_LIMIT_BYTES"
  | "DECISIONS_AUDIT_RETENTION_DAYS"
  | "DECISIONS_AUDIT_FLUSH_MS"
  | "DECISIONS_AUDIT_BATCH_SIZE"
  | "DECISIONS_AUDIT_QUEUE_MAX"
>;

export type DecisionServiceOptions = {
  databaseUrl: string;
  encryptionKeys: string;
  /** 0 picks a free port (tests). */
  port: number;
  config: DecisionServiceConfig;
  logger: Logger;
  metricsAccess: MetricsAccess;
  tls?: TlsFiles | undefined;
  /** Injectable like ReconcileDeps: tests serve a test adapter under any kind. */
  adapterFor?: AdapterLookup;
};

export type RunningDecisionService = {
  port: number;
  cache: SnapshotCache;
  /** Writes queued audit records now (tests). */
  flushAudit(): Promise<void>;
  stop(): Promise<void>;
};

const HOUR_MS = 3_600_000;

/** Resolves false instead of hanging when the database does not answer in time. */
async function probe(check: () => Promise<unknown>, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Wires the service together; `main.ts` adds the process concerns (env, signals, exit codes). */
export async function startDecisionService(opts: DecisionServiceOptions): Promise<RunningDecisionService> {
  const { config, logger } = opts;
  const lookup = opts.adapterFor ?? adapterFor;
  const db = createDb({ url: opts.databaseUrl, poolSize: 4, applicationName: "steward-decisions" });
  const secretBox = new SecretBox(parseKeyring(opts.encryptionKeys));
  const hashSalt = secretBox.derive(HASH_SALT_LABEL);
  const metrics = createMetrics();
  const cache = createSnapshotCache({ db, lookup, logger, metrics, context: () => ({ hashSalt, now: () => new Date() }) });
  // The audit has its own small pool: its batch writes never queue behind snapshot loads.
  const auditPool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2, application_name: "steward-decisions-audit" });
  auditPool.on("error", (err) => logger.warn({ err: err.message }, "audit pool connection lost"));
  const recorder = startAuditRecorder({
    write: pgDecisionRecordWriter(auditPool),
    logger,
    metrics,
    flushMs: config.DECISIONS_AUDIT_FLUSH_MS,
    batchSize: config.DECISIONS_AUDIT_BATCH_SIZE,
    maxQueue: config.DECISIONS_AUDIT_QUEUE_MAX,
  });

  metrics.gauge("steward_decision_snapshot_version", "Snapshot version served per connection", ["connection"], (g) => {
    g.reset();
    for (const c of cache.all()) if (c.served) g.set({ connection: c.connectionId }, c.served.version);
  });
  metrics.gauge("steward_decision_snapshot_age_seconds", "Time since the served snapshot was published", ["connection"], (g) => {
    g.reset();
    for (const c of cache.all()) if (c.served) g.set({ connection: c.connectionId }, (Date.now() - c.served.publishedAt.getTime()) / 1000);
  });
  metrics.gauge("steward_decision_audit_queue_depth", "Decision records waiting to be written", [], (g) => g.set(recorder.depth()));
  metrics.gauge("steward_decision_database_unreachable_seconds", "Time since the last successful database round trip", [], (g) =>
    g.set(Math.max(0, Date.now() - cache.databaseOkAt - config.DECISIONS_POLL_MS) / 1000),
  );

  // The poll is the fallback for lost notifications and the outage detector; it never throws.
  let pollFailures = 0;
  const pollOnce = async (trigger: "start" | "poll" | "reconnect") => {
    try {
      await cache.poll(trigger);
      if (pollFailures > 0) logger.info({ pollFailures }, "metadata database reachable again");
      pollFailures = 0;
    } catch (err) {
      if (pollFailures++ === 0) logger.warn({ err: (err as Error).message }, "snapshot poll failed; serving the last snapshots");
    }
  };
  await pollOnce("start");
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  const schedulePoll = () => {
    if (stopped) return;
    pollTimer = setTimeout(() => {
      polling = pollOnce("poll").finally(schedulePoll);
    }, config.DECISIONS_POLL_MS);
  };
  schedulePoll();

  const listener = startPgListener({
    url: opts.databaseUrl,
    logger,
    channel: DECISIONS_NOTIFY_CHANNEL,
    onNotification: (payload) => cache.notified(payload),
    // Publishes during a LISTEN gap sent notifications nobody heard: catch up at once.
    onConnected: () => void pollOnce("reconnect"),
  });

  const prune = async () => {
    const olderThan = new Date(Date.now() - config.DECISIONS_AUDIT_RETENTION_DAYS * 24 * HOUR_MS);
    try {
      const deleted = await pruneDecisionRecords(db, olderThan);
      if (deleted > 0) logger.info({ deleted, olderThan }, "old decision records pruned");
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "decision record pruning failed; next try in an hour");
    }
  };
  const pruneStart = setTimeout(() => void prune(), 60_000);
  const pruneTimer = setInterval(() => void prune(), HOUR_MS);
  pruneStart.unref();
  pruneTimer.unref();

  const outage: OutagePolicy = { onOutage: config.DECISIONS_ON_OUTAGE, staleAfterMs: config.DECISIONS_STALE_AFTER_MS };
  const http = await startHttpServer({
    port: opts.port,
    logger,
    registry: metrics.registry,
    metricsAccess: opts.metricsAccess,
    tls: opts.tls,
    readiness: async () => ({
      snapshots: cache.ready,
      database: await probe(() => db.$queryRaw`SELECT 1`),
    }),
    decide: createDecisionHandler({ cache, recorder, lookup, metrics, logger, bodyLimitBytes: config.DECISIONS_BODY_LIMIT_BYTES, outage }),
  });
  logger.info({ port: http.port, tls: !!opts.tls, onOutage: config.DECISIONS_ON_OUTAGE }, "decision service started");

  return {
    port: http.port,
    cache,
    flushAudit: () => recorder.flush(),
    async stop() {
      stopped = true;
      clearTimeout(pollTimer);
      clearTimeout(pruneStart);
      clearInterval(pruneTimer);
      await http.close();
      await Promise.all([listener.stop(), polling, cache.settle()]);
      await recorder.stop();
      await auditPool.end();
      await db.$disconnect();
      logger.info("decision service stopped");
    },
  };
}
