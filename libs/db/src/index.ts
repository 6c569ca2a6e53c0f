import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "./generated/client";

export type {
  AccessRequest,
  ApiKey,
  AuditEvent,
  CatalogNode,
  Connection,
  ConnectionAccessState,
  DataPolicy,
  DataPolicyVersion,
  DataSource,
  DataSourceColumn,
  DecisionRecord,
  Group,
  GroupMembership,
  ManualSubscription,
  OutboxEvent,
  PlatformAccount,
  PolicyVersion,
  Project,
  ProjectMember,
  Purpose,
  ReconcileRun,
  RoleAssignment,
  ScimAttributeMapping,
  Session,
  SubscriptionPolicy,
  SyncRun,
  Tag,
  User,
  UserAttribute,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookEndpoint,
} from "./generated/client";
export * from "./generated/enums";
export type * from "./generated/models";
export { Prisma, PrismaClient };

export type Db = PrismaClient;
/** A client or an interactive transaction: use-cases accept either. */
export type Tx = Prisma.TransactionClient;

export type DbOptions = { url: string; poolSize?: number; applicationName?: string };

export function createDb(opts: DbOptions): Db {
  const adapter = new PrismaPg({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    application_name: opts.applicationName ?? "steward",
  });
  return new PrismaClient({ adapter });
}

const SERIALIZATION_FAILURE = "P2034";

/**
 * Runs `fn` in one transaction. Serialization failures and deadlocks (P2034) are retried with jitter,
 * so callers can use SERIALIZABLE where invariants span rows without handling retries themselves.
 */
export async function transaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts: { isolationLevel?: Prisma.TransactionIsolationLevel; maxRetries?: number; timeoutMs?: number } = {},
): Promise<T> {
  const maxRetries = opts.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(fn, { isolationLevel: opts.isolationLevel, timeout: opts.timeoutMs ?? 15_000, maxWait: 10_000 });
    } catch (err) {
      const retriable = err instanceof Prisma.PrismaClientKnownRequestError && err.code === SERIALIZATION_FAILURE;
      if (!retriable || attempt >= maxRetries) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}

/**
 * Lets use-cases that take `{ db }` and open their own `transaction` run inside a caller's transaction:
 * Prisma 7 runs an interactive transaction started on a transaction client as a savepoint, so the
 * inner work (and its audit + outbox rows) commits or rolls back with the caller's.
 */
export function joinTransaction(tx: Tx): Db {
  return tx as unknown as Db;
}

/** True when a write failed on a unique constraint (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

/** True when an update/delete found no row (P2025). */
export function isRecordNotFound(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025";
}
