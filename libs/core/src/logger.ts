import { pino, type Logger } from "pino";

export type { Logger };

/** Apps create one root logger; libs receive loggers (or children) as arguments. */
export function createLogger(opts: { name: string; level?: string }): Logger {
  return pino({
    name: opts.name,
    level: opts.level ?? "info",
    redact: { paths: ["password", "*.password", "secret", "*.secret", "headers.authorization", "headers.cookie"], censor: "[redacted]" },
  });
}
