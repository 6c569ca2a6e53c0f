import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@steward/core";
import { type AdapterLookup, type DecisionAnswer, isPlatformKind } from "@steward/integrations";
import type { AuditRecorder } from "./audit-recorder";
import type { Metrics } from "./metrics";
import type { SnapshotCache } from "./snapshot-cache";

export type OutagePolicy = { onOutage: "serve-last" | "fail-closed"; staleAfterMs: number };

type Route = { kind: string; connectionId: string; token: string; endpoint: string };

const JSON_HEADERS = { "content-type": "application/json" };

/** One write per answer: with its length known up front the body is not sent chunked. */
function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, "content-length": String(Buffer.byteLength(text)), ...extra }).end(text);
}

/** `/decisions/<kind>/<connectionId>/<token>/<endpoint>`; null when the path has another shape. */
export function parseDecisionRoute(url: string): Route | null {
  const path = url.split("?", 1)[0]!;
  const parts = path.split("/");
  if (parts.length !== 6 || parts[0] !== "" || parts[1] !== "decisions") return null;
  try {
    const [kind, connectionId, token, endpoint] = parts.slice(2).map(decodeURIComponent) as [string, string, string, string];
    return kind && connectionId && token && endpoint ? { kind, connectionId, token, endpoint } : null;
  } catch {
    return null;
  }
}

/**
 * Compares hashes, not tokens, in constant time; the token itself is never stored anywhere but in
 * this process's memory once it has been presented and verified (keyed by the stored hash, so a
 * re-issued token drops it): the hot path then compares bytes instead of hashing every request.
 */
const verifiedTokens = new WeakMap<Buffer, Buffer>();
function tokenMatches(token: string, expected: Buffer | null): boolean {
  if (!expected || token.length > 1024) return false;
  const known = verifiedTokens.get(expected);
  const presented = Buffer.from(token, "utf8");
  if (known && known.length === presented.length) return timingSafeEqual(known, presented);
  const ok = timingSafeEqual(createHash("sha256").update(presented).digest(), expected);
  if (ok) verifiedTokens.set(expected, presented);
  return ok;
}

type Body = { ok: true; value: unknown } | { ok: false; status: number; error: string };

/** Streams the body up to `limit` bytes; a larger one is refused as soon as it is known to be larger. */
function readJson(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ok: false, status: 413, error: `request body larger than ${limit} bytes` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Body) => {
      if (done) return;
      done = true;
      resolve(body);
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish({ ok: false, status: 413, error: `request body larger than ${limit} bytes` });
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", (err) => finish({ ok: false, status: 400, error: `request body could not be read: ${err.message}` }));
    req.on("end", () => {
      if (size === 0) return finish({ ok: false, status: 400, error: "empty request body; expected JSON" });
      try {
        finish({ ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString("utf8")) as unknown });
      } catch (err) {
        finish({ ok: false, status: 400, error: `malformed JSON: ${(err as Error).message}` });
      }
    });
  });
}

/**
 * The decision route: authenticate the connection in memory, parse the body, and let the platform's
 * adapter answer from the current index. No database round trip; audit records go to the recorder.
 */
export function createDecisionHandler(deps: {
  cache: SnapshotCache;
  recorder: AuditRecorder;
  lookup: AdapterLookup;
  metrics: Metrics;
  logger: Logger;
  bodyLimitBytes: number;
  outage: OutagePolicy;
}) {
  const { cache, metrics, logger } = deps;
  let lastFailClosedLog = 0;
  // Labelled metric children, resolved once per label set (prom-client hashes labels on every call).
  const requestCounters = new Map<string, { inc(): void }>();
  const latencyHistograms = new Map<string, { observe(v: number): void }>();
  const countRequest = (kind: string, endpoint: string, status: number) => {
    const key = `${kind}\u0000${endpoint}\u0000${status}`;
    let c = requestCounters.get(key);
    if (!c) {
      c = metrics.requests.labels({ kind, endpoint, status: String(status) });
      if (requestCounters.size < 1_000) requestCounters.set(key, c);
    }
    c.inc();
  };
  const observeLatency = (endpoint: string, seconds: number) => {
    let h = latencyHistograms.get(endpoint);
    if (!h) {
      h = metrics.latency.labels({ endpoint });
      if (latencyHistograms.size < 100) latencyHistograms.set(endpoint, h);
    }
    h.observe(seconds);
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, route: Route): Promise<void> {
    const respond = (status: number, body: unknown, extra?: Record<string, string>) => {
      countRequest(route.kind.slice(0, 32), route.endpoint.slice(0, 64), status);
      send(res, status, body, extra);
    };
    const port = isPlatformKind(route.kind) ? deps.lookup(route.kind).decisions : undefined;
    if (!port) return respond(404, { error: `no decision service for kind ${JSON.stringify(route.kind.slice(0, 64))}` });
    if (!port.endpoints.includes(route.endpoint)) {
      return respond(404, {
        error: `unknown endpoint ${JSON.stringify(route.endpoint.slice(0, 64))}; expected one of ${port.endpoints.join(", ")}`,
      });
    }
    if (req.method !== "POST") return respond(405, { error: "use POST" }, { allow: "POST" });
    const connection = cache.get(route.connectionId);
    if (!connection || connection.kind !== route.kind || !tokenMatches(route.token, connection.tokenHash)) {
      return respond(401, { error: "unknown connection or wrong decision token" });
    }
    const body = await readJson(req, deps.bodyLimitBytes);
    if (!body.ok) {
      // After a 413 the rest of the body is never read: close the connection instead of draining it.
      return respond(body.status, { error: body.error }, body.status === 413 ? { connection: "close" } : {});
    }
    const started = performance.now();
    const served = connection.served;
    if (!served) return respond(503, { error: "no decision snapshot has been published for this connection yet" });

    let answer: DecisionAnswer | null;
    const downForMs = Date.now() - cache.databaseOkAt;
    if (deps.outage.onOutage === "fail-closed" && downForMs > deps.outage.staleAfterMs) {
      const reason = `denied: Steward's metadata database has been unreachable for ${Math.round(downForMs / 1000)} s and this service fails closed`;
      answer = served.port.failClosed?.(route.endpoint, body.value, reason) ?? null;
      if (Date.now() - lastFailClosedLog > 10_000) {
        lastFailClosedLog = Date.now();
        logger.warn({ downForMs, connectionId: connection.connectionId, endpoint: route.endpoint }, "failing closed");
      }
      if (!answer) {
        metrics.decisions.inc({ result: "fail_closed" });
        return respond(503, { error: reason });
      }
      metrics.decisions.inc({ result: "fail_closed" }, answer.records.length);
    } else {
      try {
        answer = served.port.answer(served.index, route.endpoint, body.value);
      } catch (err) {
        // The port must not throw; if it does, Trino gets an error (the query fails), never an allow.
        logger.error({ err: (err as Error).message, connectionId: connection.connectionId, endpoint: route.endpoint }, "decision failed");
        return respond(500, { error: "decision failed" });
      }
      let allowed = 0;
      for (const r of answer.records) if (r.allowed) allowed++;
      if (allowed > 0) metrics.decisions.inc({ result: "allowed" }, allowed);
      if (answer.records.length > allowed) metrics.decisions.inc({ result: "denied" }, answer.records.length - allowed);
    }
    respond(answer.status, answer.body);
    observeLatency(route.endpoint.slice(0, 64), (performance.now() - started) / 1000);
    deps.recorder.add(connection, served.version, answer.records);
  };
}
