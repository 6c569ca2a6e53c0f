import type { Db, Tx } from "@steward/db";
import { ancestry } from "./purposes";

/** The project a user acts under, as data policies and purpose conditions see it. */
export type ActingProject = {
  projectId: string;
  /** Purpose ids of the project with their ancestors. */
  purposeIds: string[];
  /** The same purposes by name (profile rows carry names). */
  purposeNames: string[];
};

/**
 * Which users act under which project now. A current project counts only while it is active, the
 * user is still a member and has acknowledged every purpose statement of it in its current version;
 * otherwise the user acts under no purpose (their `currentProjectId` is kept, so a re-acknowledgement
 * brings it back). `userIds` limits the read (the delta path); omitted: every user with a project.
 */
export async function loadActingProjects(db: Db | Tx, userIds?: readonly string[]): Promise<Map<string, ActingProject>> {
  const users = await db.user.findMany({
    where: { currentProjectId: { not: null }, ...(userIds ? { id: { in: [...userIds] } } : {}) },
    select: { id: true, currentProjectId: true },
  });
  if (users.length === 0) return new Map();
  const projectIds = [...new Set(users.map((u) => u.currentProjectId!))];
  const [projects, members, acks, purposes] = await Promise.all([
    db.project.findMany({
      where: { id: { in: projectIds }, status: "ACTIVE" },
      select: { id: true, purposes: { select: { purposeId: true } } },
    }),
    db.projectMember.findMany({
      where: { projectId: { in: projectIds }, userId: { in: users.map((u) => u.id) } },
      select: { projectId: true, userId: true },
    }),
    db.purposeAcknowledgement.findMany({
      where: { projectId: { in: projectIds }, userId: { in: users.map((u) => u.id) } },
      select: { projectId: true, userId: true, purposeId: true, version: true },
    }),
    db.purpose.findMany({ select: { id: true, name: true, parentId: true, deletedAt: true, acknowledgementVersion: true } }),
  ]);
  const purposeById = new Map(purposes.map((p) => [p.id, p]));
  const chains = ancestry(purposes);
  const projectPurposes = new Map(projects.map((p) => [p.id, p.purposes.map((x) => x.purposeId)]));
  const memberSet = new Set(members.map((m) => `${m.projectId}/${m.userId}`));
  const ackOf = new Map(acks.map((a) => [`${a.projectId}/${a.userId}/${a.purposeId}`, a.version]));
  const out = new Map<string, ActingProject>();
  for (const u of users) {
    const projectId = u.currentProjectId!;
    const bound = projectPurposes.get(projectId);
    if (!bound || !memberSet.has(`${projectId}/${u.id}`)) continue;
    const acknowledged = bound.every((id) => ackOf.get(`${projectId}/${u.id}/${id}`) === purposeById.get(id)?.acknowledgementVersion);
    if (!acknowledged) continue;
    const ids = new Set<string>();
    for (const id of bound) for (const a of chains.get(id) ?? []) if (!purposeById.get(a)?.deletedAt) ids.add(a);
    const sorted = [...ids].sort();
    out.set(u.id, { projectId, purposeIds: sorted, purposeNames: sorted.map((id) => purposeById.get(id)!.name).sort() });
  }
  return out;
}

/** Purposes of a project a member has still to acknowledge (in their current version). */
export async function pendingAcknowledgements(db: Db | Tx, projectId: string, userId: string): Promise<string[]> {
  const [bound, acks] = await Promise.all([
    db.projectPurpose.findMany({ where: { projectId }, select: { purpose: { select: { id: true, acknowledgementVersion: true } } } }),
    db.purposeAcknowledgement.findMany({ where: { projectId, userId }, select: { purposeId: true, version: true } }),
  ]);
  const acked = new Map(acks.map((a) => [a.purposeId, a.version]));
  return bound.filter((b) => acked.get(b.purpose.id) !== b.purpose.acknowledgementVersion).map((b) => b.purpose.id);
}
