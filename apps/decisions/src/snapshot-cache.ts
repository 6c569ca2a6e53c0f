import { parseDecisionsNotification, toDecisionSnapshot } from "@steward/access";
import type { Logger } from "@steward/core";
import type { Db } from "@steward/db";
import {
  type AdapterLookup,
  type DecisionServiceContext,
  type DecisionsPort,
  PLATFORM_KINDS,
  type PlatformKind,
} from "@steward/integrations";
import type { Metrics } from "./metrics";

/** The index one snapshot version was built into; swapped whole, never mutated. */
export type ServedSnapshot = { port: DecisionsPort; index: unknown; version: number; publishedAt: Date };

/** What a request needs to know about a connection, all in memory. */
export type LoadedConnection = {
  connectionId: string;
  kind: PlatformKind;
  /** sha256 of the connection's decision token (32 bytes); null: no token issued, every request is 401. */
  tokenHash: Buffer | null;
  /** Share of allowed decisions kept in the audit (the connection config's `auditSamplePercent`). */
  auditSamplePercent: number;
  served: ServedSnapshot | null;
};

export type SnapshotCache = {
  get(connectionId: string): LoadedConnection | undefined;
  all(): LoadedConnection[];
  /** True once every snapshot present at start was loaded (readiness). */
  readonly ready: boolean;
  /** Epoch ms of the last successful database round trip (outage detection). */
  readonly databaseOkAt: number;
  /** Compares every connection's token and snapshot version with the database and reloads what moved. */
  poll(trigger: "start" | "poll" | "reconnect"): Promise<void>;
  notified(payload: string): void;
  /** Waits for reloads in flight (shutdown, tests). */
  settle(): Promise<void>;
};

type VersionRow = { id: string; kind: string; tokenHash: string | null; config: unknown; version: number | null };

const tokenHashBuffer = (hex: string | null) => (hex && /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, "hex") : null);

/** Read generically: any decision platform may offer the setting; without it everything is audited. */
function samplePercentOf(config: unknown): number {
  const value = (config as { auditSamplePercent?: unknown } | null)?.auditSamplePercent;
  return typeof value === "number" && Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 100;
}

/**
 * Every decision connection's newest snapshot, built into its adapter's index. A reload reads one
 * row, builds the index outside any request and swaps it in only if its version is newer, so an
 * answer always comes from one complete snapshot. Reloads of one connection run one at a time; a
 * notification during a reload runs it once more afterwards.
 */
export function createSnapshotCache(deps: {
  db: Db;
  lookup: AdapterLookup;
  context: () => DecisionServiceContext;
  logger: Logger;
  metrics: Metrics;
}): SnapshotCache {
  const { db, logger, metrics } = deps;
  const connections = new Map<string, LoadedConnection>();
  const inflight = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const decisionKinds = PLATFORM_KINDS.filter((k) => deps.lookup(k).decisions);
  let ready = false;
  let databaseOkAt = Date.now();

  const entryFor = (row: { id: string; kind: string; tokenHash: string | null; config: unknown }): LoadedConnection => {
    const existing = connections.get(row.id);
    const entry: LoadedConnection = existing ?? {
      connectionId: row.id,
      kind: row.kind as PlatformKind,
      tokenHash: null,
      auditSamplePercent: 100,
      served: null,
    };
    entry.tokenHash = tokenHashBuffer(row.tokenHash);
    entry.auditSamplePercent = samplePercentOf(row.config);
    connections.set(row.id, entry);
    return entry;
  };

  async function loadOne(connectionId: string, trigger: string): Promise<void> {
    const row = await db.decisionSnapshot.findUnique({
      where: { connectionId },
      include: { connection: { select: { kind: true, config: true, decisionTokenHash: true, deletedAt: true } } },
    });
    databaseOkAt = Date.now();
    if (!row || row.connection.deletedAt || !decisionKinds.includes(row.connection.kind)) return;
    const entry = entryFor({
      id: connectionId,
      kind: row.connection.kind,
      tokenHash: row.connection.decisionTokenHash,
      config: row.connection.config,
    });
    if (entry.served && entry.served.version >= row.version) return;
    const port = deps.lookup(entry.kind).decisions!;
    const started = performance.now();
    try {
      const index = port.buildIndex(toDecisionSnapshot(row), row.connection.config, deps.context());
      entry.served = { port, index, version: row.version, publishedAt: row.publishedAt };
      metrics.reloads.inc({ trigger, result: "loaded" });
      logger.info(
        { connectionId, version: row.version, buildMs: Math.round(performance.now() - started), trigger },
        "decision snapshot loaded",
      );
    } catch (err) {
      // The previous index keeps answering; the next publish (or poll) tries again.
      metrics.reloads.inc({ trigger, result: "failed" });
      logger.error({ connectionId, version: row.version, err: (err as Error).message }, "decision snapshot could not be indexed");
    }
  }

  function reload(connectionId: string, trigger: string): Promise<void> {
    const running = inflight.get(connectionId);
    if (running) {
      again.add(connectionId);
      return running;
    }
    const work = (async () => {
      do {
        again.delete(connectionId);
        await loadOne(connectionId, trigger);
      } while (again.has(connectionId));
    })().finally(() => inflight.delete(connectionId));
    inflight.set(connectionId, work);
    return work;
  }

  return {
    get: (id) => connections.get(id),
    all: () => [...connections.values()],
    get ready() {
      return ready;
    },
    get databaseOkAt() {
      return databaseOkAt;
    },
    async poll(trigger) {
      if (decisionKinds.length === 0) {
        ready = true;
        return;
      }
      const rows = await db.$queryRaw<VersionRow[]>`
        SELECT c.id::text AS id, c.kind::text AS kind, c."decisionTokenHash" AS "tokenHash", c.config, s.version
          FROM "Connection" c
          LEFT JOIN "DecisionSnapshot" s ON s."connectionId" = c.id
         WHERE c."deletedAt" IS NULL AND c.kind::text = ANY(${decisionKinds}::text[])`;
      databaseOkAt = Date.now();
      const present = new Set<string>();
      const loads: Promise<void>[] = [];
      for (const row of rows) {
        present.add(row.id);
        const entry = entryFor(row);
        if (row.version !== null && (!entry.served || entry.served.version < row.version)) loads.push(reload(row.id, trigger));
      }
      for (const id of connections.keys()) if (!present.has(id)) connections.delete(id);
      await Promise.all(loads);
      ready = true;
    },
    notified(payload) {
      const parsed = parseDecisionsNotification(payload);
      if (!parsed) return void logger.warn({ payload: payload.slice(0, 100) }, "unexpected decisions notification");
      const served = connections.get(parsed.connectionId)?.served;
      if (served && served.version >= parsed.version) return;
      reload(parsed.connectionId, "notify").catch((err: unknown) =>
        logger.warn({ connectionId: parsed.connectionId, err: (err as Error).message }, "reload on notify failed; the poll retries"),
      );
    },
    async settle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight.values()]);
    },
  };
}
