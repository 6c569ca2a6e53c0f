import { type Actor, conflict, fields, notFound, parseInput, randomToken } from "@steward/core";
import { isUniqueViolation, type Tx, transaction } from "@steward/db";
import { emitEvent, recordAudit } from "@steward/events";
import { PLATFORM_KINDS, type PlatformKind } from "@steward/integrations";
import { z } from "zod";
import { requireConnectionAdmin } from "../authz";
import type { CatalogDeps } from "../deps";
import { enqueueSync } from "../sync/request-sync";
import { connectionProblemError, parseConnectorInput, resolveConnector } from "./connector-access";

const KINDS = PLATFORM_KINDS as readonly PlatformKind[];

const Common = {
  description: fields.description.nullish(),
  syncIntervalMinutes: z
    .number()
    .int()
    .min(5, "at least 5 minutes")
    .max(7 * 24 * 60)
    .nullish(),
  autoRegister: z.boolean().nullish(),
  dataOwnerIds: z.array(z.uuid()).max(500).nullish(),
};
const CreateInput = z.object({
  name: fields.name,
  kind: z.enum(KINDS),
  config: z.unknown(),
  credentials: z.unknown().nullish(),
  ...Common,
});
const UpdateInput = z.object({
  id: z.uuid(),
  name: fields.name.nullish(),
  config: z.unknown().nullish(),
  credentials: z.unknown().nullish(),
  ...Common,
});
const TestInput = z.object({
  kind: z.enum(KINDS),
  config: z.unknown(),
  credentials: z.unknown().nullish(),
  connectionId: z.uuid().nullish(),
});

const snapshot = (c: {
  name: string;
  kind: string;
  config: unknown;
  syncIntervalMinutes: number | null;
  autoRegister: boolean;
  description: string;
}) => ({
  name: c.name,
  kind: c.kind,
  config: c.config,
  description: c.description,
  syncIntervalMinutes: c.syncIntervalMinutes,
  autoRegister: c.autoRegister,
});

async function setDataOwners(tx: Tx, connectionId: string, userIds: string[]) {
  await tx.connectionDataOwner.deleteMany({ where: { connectionId, userId: { notIn: userIds } } });
  await tx.connectionDataOwner.createMany({ data: userIds.map((userId) => ({ connectionId, userId })), skipDuplicates: true });
}

/** Dry-runs a connection: the wizard's "test" step. Nothing is written. */
export async function testConnection(deps: CatalogDeps, actor: Actor | null, input: unknown) {
  requireConnectionAdmin(actor);
  const data = parseInput(TestInput, input);
  const connector = resolveConnector(deps, data.kind);
  let credentials = data.credentials;
  if (credentials == null && data.connectionId) {
    // Editing: test with the stored credentials unless new ones are given.
    const existing = await deps.db.connection.findUnique({ where: { id: data.connectionId } });
    if (existing?.credentialsCiphertext) credentials = JSON.parse(deps.secretBox.open(existing.credentialsCiphertext));
  }
  const parsed = parseConnectorInput(connector, data.config, credentials);
  return connector.testConnection(parsed.config, parsed.credentials);
}

/**
 * Registers a connection after a successful connection test, then queues its first sync. Returns the
 * inbound-webhook secret once; only its sealed form is stored.
 */
export async function createConnection(deps: CatalogDeps, actor: Actor | null, input: unknown) {
  const a = requireConnectionAdmin(actor);
  const data = parseInput(CreateInput, input);
  const connector = resolveConnector(deps, data.kind as PlatformKind);
  const parsed = parseConnectorInput(connector, data.config, data.credentials);
  const test = await connector.testConnection(parsed.config, parsed.credentials);
  if (!test.ok) throw connectionProblemError(test.problem);
  const inboundSecret = `whsec_${randomToken(24)}`;
  try {
    return await transaction(deps.db, async (tx) => {
      const connection = await tx.connection.create({
        data: {
          name: data.name,
          kind: data.kind,
          description: data.description ?? "",
          config: parsed.config as object,
          credentialsCiphertext: deps.secretBox.seal(JSON.stringify(parsed.credentials)),
          inboundSecretCiphertext: deps.secretBox.seal(inboundSecret),
          syncIntervalMinutes: data.syncIntervalMinutes ?? null,
          nextSyncAt: data.syncIntervalMinutes ? new Date(Date.now() + data.syncIntervalMinutes * 60_000) : null,
          autoRegister: data.autoRegister ?? false,
          createdById: a.kind === "SYSTEM" ? null : a.userId,
        },
      });
      if (data.dataOwnerIds?.length) await setDataOwners(tx, connection.id, data.dataOwnerIds);
      await recordAudit(tx, a, {
        action: "connection.created",
        targetType: "Connection",
        targetId: connection.id,
        after: { ...snapshot(connection), dataOwnerIds: data.dataOwnerIds ?? [] },
      });
      await emitEvent(tx, {
        type: "connection.created",
        aggregateType: "Connection",
        aggregateId: connection.id,
        payload: { connectionId: connection.id },
      });
      const syncRun = await enqueueSync(tx, a, connection.id, "CREATED");
      return { connection, inboundSecret, syncRun, warnings: test.warnings };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("A connection with this name already exists");
    throw err;
  }
}

export async function updateConnection(deps: CatalogDeps, actor: Actor | null, input: unknown) {
  const a = requireConnectionAdmin(actor);
  const data = parseInput(UpdateInput, input);
  const existing = await deps.db.connection.findUnique({ where: { id: data.id } });
  if (!existing || existing.deletedAt) throw notFound("Connection");
  const connector = resolveConnector(deps, existing.kind);
  const detailsChanged = data.config != null || data.credentials != null;
  let sealedCredentials: string | undefined;
  let config = existing.config;
  if (detailsChanged) {
    const credentials =
      data.credentials ?? (existing.credentialsCiphertext ? JSON.parse(deps.secretBox.open(existing.credentialsCiphertext)) : {});
    const parsed = parseConnectorInput(connector, data.config ?? existing.config, credentials);
    const test = await connector.testConnection(parsed.config, parsed.credentials);
    if (!test.ok) throw connectionProblemError(test.problem);
    config = parsed.config as object;
    if (data.credentials != null) sealedCredentials = deps.secretBox.seal(JSON.stringify(parsed.credentials));
  }
  try {
    return await transaction(deps.db, async (tx) => {
      const interval = data.syncIntervalMinutes === undefined ? existing.syncIntervalMinutes : data.syncIntervalMinutes;
      const connection = await tx.connection.update({
        where: { id: data.id },
        data: {
          name: data.name ?? undefined,
          description: data.description ?? undefined,
          config: config as object,
          credentialsCiphertext: sealedCredentials,
          syncIntervalMinutes: interval,
          nextSyncAt: interval ? new Date(Date.now() + interval * 60_000) : null,
          autoRegister: data.autoRegister ?? undefined,
        },
      });
      if (data.dataOwnerIds) await setDataOwners(tx, connection.id, data.dataOwnerIds);
      await recordAudit(tx, a, {
        action: "connection.updated",
        targetType: "Connection",
        targetId: connection.id,
        before: snapshot(existing),
        after: { ...snapshot(connection), credentialsChanged: sealedCredentials !== undefined },
      });
      await emitEvent(tx, {
        type: "connection.updated",
        aggregateType: "Connection",
        aggregateId: connection.id,
        payload: { connectionId: connection.id },
      });
      return connection;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("A connection with this name already exists");
    throw err;
  }
}

/** Soft delete: the connection disappears from lists, its sources are disabled, history stays. */
export async function deleteConnection(deps: CatalogDeps, actor: Actor | null, id: string): Promise<boolean> {
  const a = requireConnectionAdmin(actor);
  const connectionId = parseInput(z.uuid(), id);
  return transaction(deps.db, async (tx) => {
    const existing = await tx.connection.findUnique({ where: { id: connectionId } });
    if (!existing || existing.deletedAt) throw notFound("Connection");
    // The name is freed for reuse; the row keeps its history under a tombstone name.
    await tx.connection.update({
      where: { id: connectionId },
      data: { deletedAt: new Date(), nextSyncAt: null, name: `${existing.name} (deleted ${connectionId.slice(0, 8)})` },
    });
    const sources = await tx.dataSource.findMany({ where: { connectionId, status: "ACTIVE" }, select: { id: true } });
    await tx.dataSource.updateMany({
      where: { connectionId, status: "ACTIVE" },
      data: { status: "DISABLED", disabledReason: "CONNECTION_DELETED", disabledAt: new Date() },
    });
    await tx.syncRun.updateMany({
      where: { connectionId, status: "QUEUED" },
      data: { status: "FAILED", error: "connection deleted", finishedAt: new Date() },
    });
    await recordAudit(tx, a, {
      action: "connection.deleted",
      targetType: "Connection",
      targetId: connectionId,
      before: snapshot(existing),
    });
    await emitEvent(tx, { type: "connection.deleted", aggregateType: "Connection", aggregateId: connectionId, payload: { connectionId } });
    if (sources.length) {
      await emitEvent(tx, {
        type: "data_source.status_changed",
        aggregateType: "Connection",
        aggregateId: connectionId,
        payload: { connectionId, dataSourceIds: sources.map((s) => s.id), status: "DISABLED" },
      });
    }
    return true;
  });
}

/** Issues a new inbound-webhook secret (shown once). */
export async function rotateInboundSecret(deps: CatalogDeps, actor: Actor | null, id: string) {
  const a = requireConnectionAdmin(actor);
  const connectionId = parseInput(z.uuid(), id);
  const secret = `whsec_${randomToken(24)}`;
  return transaction(deps.db, async (tx) => {
    const existing = await tx.connection.findUnique({ where: { id: connectionId } });
    if (!existing || existing.deletedAt) throw notFound("Connection");
    const connection = await tx.connection.update({
      where: { id: connectionId },
      data: { inboundSecretCiphertext: deps.secretBox.seal(secret) },
    });
    await recordAudit(tx, a, { action: "connection.inbound_secret_rotated", targetType: "Connection", targetId: connectionId });
    return { connection, inboundSecret: secret };
  });
}
