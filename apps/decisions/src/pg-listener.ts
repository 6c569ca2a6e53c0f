import type { Logger } from "@steward/core";
import pg from "pg";

/**
 * LISTENs on one PostgreSQL channel on a dedicated client, reconnecting after errors (a database
 * restart, a terminated backend). `onConnected` runs after every (re)connect: notifications sent
 * while the client was away are lost, so the caller catches up by polling then.
 */
export function startPgListener(opts: {
  url: string;
  logger: Logger;
  channel: string;
  onNotification: (payload: string) => void;
  onConnected: () => void;
  retryMs?: number;
}): { stop(): Promise<void> } {
  let stopped = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async () => {
    const c = new pg.Client({ connectionString: opts.url, application_name: "steward-decisions-listen" });
    client = c;
    const reconnect = (err?: Error) => {
      if (client !== c) return;
      client = null;
      c.end().catch(() => undefined);
      if (stopped) return;
      // One warning per outage, not one per retry.
      if (failures++ === 0) opts.logger.warn({ err: err?.message }, "LISTEN connection lost; reconnecting");
      retryTimer = setTimeout(() => void connect(), opts.retryMs ?? 1_000);
    };
    c.on("error", reconnect);
    c.on("end", () => reconnect());
    c.on("notification", (msg) => {
      if (msg.channel === opts.channel) opts.onNotification(msg.payload ?? "");
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${opts.channel.replaceAll('"', "")}"`);
      if (failures > 0) opts.logger.info({ failures }, "LISTEN connection restored");
      failures = 0;
      opts.onConnected();
    } catch (err) {
      reconnect(err as Error);
    }
  };
  void connect();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
