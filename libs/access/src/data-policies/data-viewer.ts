import { type Actor, forbidden, hasRole, notFound, parseInput, unauthenticated } from "@steward/core";
import type { Db } from "@steward/db";
import type { AccessLevel, ProfileRow } from "@steward/policy";
import { z } from "zod";
import { actsAsSourceOwner } from "../authz";
import { computeDesiredAccess } from "../propagation/desired-access";
import { loadProfiles } from "./load-data-policies";

/**
 * Who may see a source "as" a user (preview and explanation): governors and admins for anyone,
 * a user for themselves, an owner of the source for anyone on it. Returns the checked ids.
 */
export async function requireDataViewer(db: Db, actor: Actor | null, userId: string, dataSourceId: string) {
  if (!actor) throw unauthenticated();
  const ids = parseInput(z.object({ userId: z.uuid(), dataSourceId: z.uuid() }), { userId, dataSourceId });
  const self = actor.kind !== "SYSTEM" && actor.userId === ids.userId;
  if (self || hasRole(actor, "GOVERNOR") || hasRole(actor, "ADMIN")) return ids;
  if (await actsAsSourceOwner(db, actor, ids.dataSourceId)) return ids;
  throw forbidden("You may only see a source as yourself, or as others on sources you own");
}

/** The user as the platform of one connection knows them: their access there and their profile row. */
export type PlatformView =
  | { kind: "profile"; level: AccessLevel; accountName: string; profile: ProfileRow }
  /** Not on the platform: no usable account (unmapped, reserved or shared), so nothing reaches them. */
  | { kind: "noAccount"; reason: string };

/**
 * The profile row the reconciler would write for this user on the source's connection (the same
 * desired access: account mapping, readable sources, groups, attributes, acting purposes) and the
 * level the platform grants them on the source.
 */
export async function platformViewOf(
  db: Db,
  userId: string,
  source: { id: string; connectionId: string },
  now: Date,
): Promise<PlatformView> {
  const desired = await computeDesiredAccess(db, source.connectionId, now);
  const problem = desired.accountProblems.find((p) => p.userId === userId);
  if (problem) return { kind: "noAccount", reason: problem.problem };
  const account = desired.accountUsers.find((a) => a.userId === userId);
  if (!account) return { kind: "noAccount", reason: "no platform account is mapped to this user on this connection" };
  const readable = desired.access.filter((a) => a.accountName === account.accountName);
  const [profile] = await loadProfiles(db, [account], new Map([[account.accountName, readable.map((a) => a.objectId)]]));
  if (!profile) throw notFound("User");
  const level = readable.find((a) => a.objectId === source.id)?.level ?? "NONE";
  return { kind: "profile", level, accountName: account.accountName, profile };
}
