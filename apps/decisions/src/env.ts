import fs from "node:fs";
import { parseAddressList, parseKeyring } from "@steward/core";
import { z } from "zod";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const readableFile = z
  .string()
  .min(1)
  .refine((p) => fs.existsSync(p), "file not found")
  .optional();

const schema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    STEWARD_ENCRYPTION_KEYS: z.string().superRefine((spec, ctx) => {
      try {
        parseKeyring(spec);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `${(err as Error).message} (format: k1:<base64 32 bytes>[,k0:...])` });
      }
    }),
    DECISIONS_PORT: int(4002).pipe(z.number().max(65_535)),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** When the metadata database is unreachable: keep answering from the last snapshots, or deny. */
    DECISIONS_ON_OUTAGE: z.enum(["serve-last", "fail-closed"]).default("serve-last"),
    /** How long the database may be unreachable before `fail-closed` starts denying. */
    DECISIONS_STALE_AFTER_MS: int(10_000, 100),
    /** Snapshot versions are polled this often, in case a NOTIFY was missed. */
    DECISIONS_POLL_MS: int(2_000, 50),
    /** Largest request body accepted (Trino batches can be large); more is a 413. */
    DECISIONS_BODY_LIMIT_BYTES: int(64 * 1024 * 1024, 1_024),
    DECISIONS_AUDIT_RETENTION_DAYS: int(30, 1),
    DECISIONS_AUDIT_FLUSH_MS: int(250, 10),
    DECISIONS_AUDIT_BATCH_SIZE: int(1_000, 1),
    /** Records waiting for the database past this are dropped (oldest allowed ones first), and counted. */
    DECISIONS_AUDIT_QUEUE_MAX: int(100_000, 1),
    /** All three for mutual TLS (https, client certificates signed by the CA required); none for http. */
    DECISIONS_TLS_CERT: readableFile,
    DECISIONS_TLS_KEY: readableFile,
    DECISIONS_TLS_CA: readableFile,
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
    /** Clients allowed to read /metrics without a token (comma-separated IPs, CIDRs or `loopback`). */
    METRICS_ALLOW: z
      .string()
      .default("loopback")
      .superRefine((spec, ctx) => {
        try {
          parseAddressList(spec);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
        }
      }),
    METRICS_TOKEN: z.string().min(32, "use at least 32 characters").optional(),
  })
  .superRefine((env, ctx) => {
    const tls = [env.DECISIONS_TLS_CERT, env.DECISIONS_TLS_KEY, env.DECISIONS_TLS_CA].filter(Boolean).length;
    if (tls !== 0 && tls !== 3) {
      ctx.addIssue({
        code: "custom",
        path: ["DECISIONS_TLS_CERT"],
        message: "set DECISIONS_TLS_CERT, DECISIONS_TLS_KEY and DECISIONS_TLS_CA together (mutual TLS), or none",
      });
    }
  });

export type DecisionsEnv = z.infer<typeof schema>;

/** Parsed once at start-up; a bad environment stops the process with every problem listed. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): DecisionsEnv {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  throw new Error(`Invalid decisions environment:\n${problems}`);
}
