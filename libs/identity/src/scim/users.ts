import type { Actor } from "@steward/core";
import { joinTransaction, type Tx, transaction } from "@steward/db";
import { recordAudit } from "@steward/events";
import { z } from "zod";
import type { IdentityDeps } from "../deps";
import { assertUsableUsername } from "../users/account-names";
import { removeUserAttribute, setUserAttribute } from "../users/attributes";
import { createUser } from "../users/create-user";
import { deactivateUser, reactivateUser } from "../users/set-user-status";
import { updateUser } from "../users/update-user";
import { checkIfMatch, mappingsIn, pageArgs, requireScimAdmin, type ScimRequest } from "./context";
import { ScimError, scimNotFound } from "./errors";
import { filterToWhere } from "./filter";
import type { AttributeMapping } from "./mapping";
import { applyPatch, parsePatchBody } from "./patch";
import type { ScimResource } from "./resource";
import { LIST_SCHEMA, MAX_PAGE_SIZE } from "./schemas";
import {
  type DesiredUser,
  PLACEHOLDER_EMAIL_DOMAIN,
  parseUserBody,
  SCIM_USER_INCLUDE,
  type ScimUserRow,
  toScimUser,
} from "./user-resource";

const USERNAME = /^[a-z][a-z0-9._-]*$/;

function usable(name: string): boolean {
  if (name.length < 2 || name.length > 63 || !USERNAME.test(name)) return false;
  try {
    assertUsableUsername(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Steward username for an IdP userName: the userName itself when it already is one, else its local part
 * made valid; a name taken by anyone (a local account included) gets a numeric suffix, so an IdP can
 * never take over an existing account by naming it.
 */
async function deriveUsername(tx: Tx, userName: string): Promise<string> {
  const lower = userName.toLowerCase();
  let base = usable(lower) ? lower : lower.split("@")[0]!.replace(/[^a-z0-9._-]/g, "_");
  if (!/^[a-z]/.test(base)) base = `u${base}`;
  base = base.slice(0, 56);
  if (!usable(base)) base = `u_${base}`.slice(0, 56);
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!usable(candidate)) continue;
    if (!(await tx.user.findUnique({ where: { username: candidate }, select: { id: true } }))) return candidate;
  }
  throw new ScimError(409, `No free Steward username for '${userName}'`, "uniqueness");
}

async function assertUserNameFree(tx: Tx, userName: string, exceptId?: string) {
  const taken = await tx.user.findFirst({
    where: { scimUserName: { equals: userName, mode: "insensitive" }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) throw new ScimError(409, `userName '${userName}' is already provisioned`, "uniqueness");
}

async function loadRow(tx: Tx, id: string, lock = false): Promise<ScimUserRow> {
  if (!z.uuid().safeParse(id).success) throw scimNotFound("User", id);
  if (lock) await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${id}::uuid FOR UPDATE`;
  const row = await tx.user.findFirst({ where: { id, scimUserName: { not: null } }, include: SCIM_USER_INCLUDE });
  if (!row) throw scimNotFound("User", id);
  return row;
}

/** Brings a user to the desired state through the identity use-cases (each audited, each with its event). */
async function applyUser(tx: Tx, actor: Actor, row: ScimUserRow, want: DesiredUser, mappings: AttributeMapping[]) {
  const deps = { db: joinTransaction(tx) };
  if (want.userName !== row.scimUserName || want.externalId !== row.externalId) {
    if (want.userName.toLowerCase() !== row.scimUserName?.toLowerCase()) await assertUserNameFree(tx, want.userName, row.id);
    await tx.user.update({ where: { id: row.id }, data: { scimUserName: want.userName, externalId: want.externalId } });
    await recordAudit(tx, actor, {
      action: "user.scim.linked",
      targetType: "User",
      targetId: row.id,
      before: { userName: row.scimUserName, externalId: row.externalId },
      after: { userName: want.userName, externalId: want.externalId },
    });
  }
  const email = want.email ?? (row.email.endsWith(`@${PLACEHOLDER_EMAIL_DOMAIN}`) ? null : row.email);
  const emailChange = email && email.toLowerCase() !== row.email ? email : null;
  if (want.displayName !== row.displayName || emailChange)
    await updateUser(deps, actor, {
      id: row.id,
      displayName: want.displayName !== row.displayName ? want.displayName : null,
      email: emailChange,
    });
  const current = new Map<string, string[]>();
  for (const a of row.attributes) current.set(a.key, [...(current.get(a.key) ?? []), a.value].sort());
  for (const m of mappings) {
    const values = want.attributes.get(m.attributeKey) ?? [];
    const had = current.get(m.attributeKey) ?? [];
    if (values.length === had.length && values.every((v, i) => v === had[i])) continue;
    if (values.length) await setUserAttribute(deps, actor, { userId: row.id, key: m.attributeKey, values });
    else await removeUserAttribute(deps, actor, { userId: row.id, key: m.attributeKey });
  }
  if (want.active !== (row.status === "ACTIVE")) {
    if (want.active) await reactivateUser(deps, actor, { id: row.id });
    else await deactivateUser(deps, actor, { id: row.id });
  }
}

async function representation(tx: Tx, id: string, mappings: AttributeMapping[], baseUrl: string) {
  return toScimUser(await loadRow(tx, id), mappings, baseUrl);
}

/** Runs a SCIM write in one transaction: every use-case it calls commits or rolls back together. */
export function inOneTransaction<T>(deps: IdentityDeps, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(deps.db, fn);
}

export async function createScimUser(deps: IdentityDeps, req: ScimRequest, body: unknown): Promise<ScimResource> {
  const actor = requireScimAdmin(req.actor);
  return inOneTransaction(deps, async (tx) => {
    const mappings = await mappingsIn(tx);
    const want = parseUserBody(body, mappings);
    await assertUserNameFree(tx, want.userName);
    const username = await deriveUsername(tx, want.userName);
    const email = want.email ?? `${username}@${PLACEHOLDER_EMAIL_DOMAIN}`;
    const user = await createUser({ db: joinTransaction(tx) }, actor, { username, displayName: want.displayName, email });
    const row = await tx.user.findUniqueOrThrow({ where: { id: user.id }, include: SCIM_USER_INCLUDE });
    await applyUser(tx, actor, row, want, mappings);
    return representation(tx, user.id, mappings, req.baseUrl);
  });
}

export async function getScimUser(deps: IdentityDeps, req: ScimRequest, id: string): Promise<ScimResource> {
  requireScimAdmin(req.actor);
  return representation(deps.db, id, await mappingsIn(deps.db), req.baseUrl);
}

export async function replaceScimUser(
  deps: IdentityDeps,
  req: ScimRequest,
  id: string,
  body: unknown,
  ifMatch?: string,
): Promise<ScimResource> {
  const actor = requireScimAdmin(req.actor);
  return inOneTransaction(deps, async (tx) => {
    const mappings = await mappingsIn(tx);
    const row = await loadRow(tx, id, true);
    checkIfMatch(ifMatch, toScimUser(row, mappings, req.baseUrl).meta?.version as string);
    await applyUser(tx, actor, row, parseUserBody(body, mappings), mappings);
    return representation(tx, id, mappings, req.baseUrl);
  });
}

export async function patchScimUser(
  deps: IdentityDeps,
  req: ScimRequest,
  id: string,
  body: unknown,
  ifMatch?: string,
): Promise<ScimResource> {
  const actor = requireScimAdmin(req.actor);
  return inOneTransaction(deps, async (tx) => {
    const mappings = await mappingsIn(tx);
    const row = await loadRow(tx, id, true);
    const before = toScimUser(row, mappings, req.baseUrl);
    checkIfMatch(ifMatch, before.meta?.version as string);
    const ops = parsePatchBody("User", body, id);
    const { meta: _meta, ...plain } = before;
    const patched = applyPatch(plain as ScimResource, ops);
    await applyUser(tx, actor, row, parseUserBody(patched, mappings), mappings);
    return representation(tx, id, mappings, req.baseUrl);
  });
}

/**
 * SCIM DELETE: Steward keeps people and their history, so the user is deactivated (sessions, keys and
 * platform access end) and unlinked from the IdP; the resource is gone for SCIM and its userName free again.
 */
export async function deleteScimUser(deps: IdentityDeps, req: ScimRequest, id: string, ifMatch?: string): Promise<void> {
  const actor = requireScimAdmin(req.actor);
  await inOneTransaction(deps, async (tx) => {
    const mappings = await mappingsIn(tx);
    const row = await loadRow(tx, id, true);
    checkIfMatch(ifMatch, toScimUser(row, mappings, req.baseUrl).meta?.version as string);
    if (row.status === "ACTIVE") await deactivateUser({ db: joinTransaction(tx) }, actor, { id });
    await tx.user.update({ where: { id }, data: { scimUserName: null, externalId: null } });
    await recordAudit(tx, actor, {
      action: "user.scim.unlinked",
      targetType: "User",
      targetId: id,
      before: { userName: row.scimUserName, externalId: row.externalId },
    });
  });
}

export type ListQuery = { filter?: string; startIndex?: unknown; count?: unknown };

export async function listScimUsers(deps: IdentityDeps, req: ScimRequest, q: ListQuery) {
  requireScimAdmin(req.actor);
  const page = pageArgs(q.startIndex, q.count, MAX_PAGE_SIZE);
  const where = { AND: [{ scimUserName: { not: null } }, q.filter ? filterToWhere("User", q.filter) : {}] };
  const mappings = await mappingsIn(deps.db);
  const [rows, total] = await Promise.all([
    page.take
      ? deps.db.user.findMany({
          where,
          include: SCIM_USER_INCLUDE,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          skip: page.skip,
          take: page.take,
        })
      : [],
    deps.db.user.count({ where }),
  ]);
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex: page.startIndex,
    itemsPerPage: rows.length,
    Resources: rows.map((r) => toScimUser(r, mappings, req.baseUrl)),
  };
}
