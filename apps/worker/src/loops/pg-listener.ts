import type { Logger } from "@steward/core";
import pg from "pg";

/**
 * LISTENs on PostgreSQL channels and calls a handler per notification, reconnecting after errors.
 * Notifications are only a latency optimisation: every loop woken here also polls, so a dropped
 * connection delays work by at most one poll interval and loses nothing.
 */
export function startPgListener(opts: { url: string; logger: Logger; channels: Record<string, (payload: string) => void> }): {
  stop(): Promise<void>;
} {
  let stopped = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async () => {
    const c = new pg.Client({ connectionString: opts.url, application_name: "steward-worker-listen" });
    client = c;
    const reconnect = (err?: Error) => {
      if (client !== c) return;
      client = null;
      c.end().catch(() => undefined);
      if (stopped) return;
      opts.logger.warn({ err: err?.message }, "LISTEN connection lost; reconnecting in 1 s");
      retryTimer = setTimeout(() => void connect(), 1_000);
    };
    c.on("error", reconnect);
    c.on("end", () => reconnect());
    c.on("notification", (msg) => opts.channels[msg.channel]?.(msg.payload ?? ""));
    try {
      await c.connect();
      for (const channel of Object.keys(opts.channels)) await c.query(`LISTEN "${channel.replaceAll('"', "")}"`);
      opts.logger.debug({ channels: Object.keys(opts.channels) }, "listening for notifications");
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
