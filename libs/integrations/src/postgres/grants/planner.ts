import { assignRoleNames, computeGroups } from "./groups";
import { loginFindings } from "./logins";
import { databaseRoleName, schemaRoleName, userMarker, validateDesired } from "./naming";
import { type ActualState, type Grant, getOrInit, targetKey } from "./state";
import { buildStatements, sortPrivileges } from "./statements";
import type { DesiredState, DriftFinding, GrantTarget, Privilege, ReconcileCounts, TablePrivilege } from "./types";
import { unmanagedGrantFindings } from "./unmanaged";
import { withoutUnusableUsers } from "./users";

export type GrantPlan = { findings: DriftFinding[]; statements: string[]; counts: ReconcileCounts; warnings: string[] };

const READ: TablePrivilege[] = ["SELECT"];
const WRITE: TablePrivilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"];
/** WRITE on a base table read through a policy view: everything but SELECT. */
const MODIFY: TablePrivilege[] = ["INSERT", "UPDATE", "DELETE", "TRUNCATE"];

type DesiredModel = { roles: Set<string>; grants: Map<string, Grant>; memberships: Map<string, Set<string>> };

/**
 * Layout: object privileges → access-set role; access-set role ∈ schema role (USAGE); schema role ∈
 * database role (CONNECT); users ∈ access-set roles. Every ACL Steward writes holds a handful of
 * Steward grantees however many users there are.
 */
function desiredModel(
  desired: DesiredState,
  actual: ActualState,
  warnings: string[],
): { model: DesiredModel; missing: DesiredState["objects"] } {
  const { groups, missing, warnings: groupWarnings } = computeGroups(desired, actual.objectKinds);
  warnings.push(...groupWarnings);
  const names = assignRoleNames(groups, actual);
  const model: DesiredModel = { roles: new Set(), grants: new Map(), memberships: new Map() };
  const grant = (role: string, target: GrantTarget, privileges: Privilege[]) =>
    model.grants.set(`${targetKey(target)}\0${role}`, { target, role, privileges });
  const member = (role: string, m: string) => {
    const set = model.memberships.get(role);
    if (set) set.add(m);
    else model.memberships.set(role, new Set([m]));
  };
  if (groups.length === 0) return { model, missing };

  const dbRole = databaseRoleName(actual.prefix);
  model.roles.add(dbRole);
  grant(dbRole, { kind: "database", name: desired.database }, ["CONNECT"]);
  groups.forEach((g, i) => {
    const role = names[i]!;
    model.roles.add(role);
    const schemas = new Set<string>();
    for (const o of g.objects) {
      grant(role, { kind: "relation", schema: o.schema, name: o.name }, g.level === "w" ? (o.selectWithheld ? MODIFY : WRITE) : READ);
      schemas.add(o.schema);
    }
    for (const schema of schemas) {
      const schemaRole = schemaRoleName(actual.prefix, schema);
      if (!model.roles.has(schemaRole)) {
        model.roles.add(schemaRole);
        grant(schemaRole, { kind: "schema", name: schema }, ["USAGE"]);
        member(dbRole, schemaRole);
      }
      member(schemaRole, role);
    }
    for (const u of g.members) member(role, u);
  });
  return { model, missing };
}

/**
 * The pure core shared by plan, reconcile and drift detection: desired vs actual → findings →
 * statements. Only roles with the scope prefix *and* the marker are ever compared, so grants to
 * anyone else (owners, PUBLIC, hand-made roles) can never produce a REVOKE.
 * Throws GrantsInputError for names that cannot be sent.
 */
export function planGrants(input: DesiredState, actual: ActualState): GrantPlan {
  const { desired, warnings } = withoutUnusableUsers(input);
  validateDesired(desired);
  const { model, missing } = desiredModel(desired, actual, warnings);
  const findings: DriftFinding[] = [];

  for (const u of new Set(desired.users.map((x) => x.accountName)))
    if (!actual.roles.has(u)) findings.push({ kind: "MISSING_USER", user: u });
  const managed = new Set([...actual.roles].filter(([name, info]) => info.managed && name.startsWith(actual.prefix)).map(([name]) => name));
  for (const r of model.roles) if (!managed.has(r)) findings.push({ kind: "MISSING_ROLE", role: r });
  for (const r of managed) if (!model.roles.has(r)) findings.push({ kind: "EXTRA_ROLE", role: r });

  const actualGrants = new Map<string, Set<Privilege>>();
  for (const g of actual.grants) {
    if (!managed.has(g.role)) continue;
    const key = `${targetKey(g.target)}\0${g.role}`;
    const set = actualGrants.get(key) ?? new Set<Privilege>();
    for (const p of g.privileges) set.add(p);
    actualGrants.set(key, set);
  }
  for (const [key, g] of model.grants) {
    const have = actualGrants.get(key);
    const lacking = g.privileges.filter((p) => !have?.has(p));
    if (lacking.length) findings.push({ kind: "MISSING_PRIVILEGE", role: g.role, target: g.target, privileges: lacking });
  }
  for (const g of actual.grants) {
    if (!managed.has(g.role)) continue;
    const want = model.grants.get(`${targetKey(g.target)}\0${g.role}`);
    const extra = g.privileges.filter((p) => !want?.privileges.includes(p));
    if (extra.length) findings.push({ kind: "EXTRA_PRIVILEGE", role: g.role, target: g.target, privileges: sortPrivileges(extra) });
  }

  // Per-role member sets: no per-membership key strings (tens of thousands of memberships).
  const actualMembers = new Map<string, Set<string>>();
  for (const m of actual.memberships) {
    if (!managed.has(m.role)) continue;
    getOrInit(actualMembers, m.role, () => new Set<string>()).add(m.member);
    if (!model.memberships.get(m.role)?.has(m.member)) findings.push({ kind: "EXTRA_MEMBERSHIP", role: m.role, member: m.member });
  }
  for (const [role, members] of model.memberships) {
    const have = actualMembers.get(role);
    for (const member of members) if (!have?.has(member)) findings.push({ kind: "MISSING_MEMBERSHIP", role, member });
  }

  findings.push(...unmanagedGrantFindings(desired, actual), ...loginFindings(desired, actual.userLogins));
  for (const o of missing) findings.push({ kind: "MISSING_OBJECT", objectId: o.id, schema: o.schema, name: o.name });

  const { statements, counts } = buildStatements(findings, {
    userMarker: userMarker(desired.connectionId),
    revokeUnmanaged: desired.unmanagedGrants === "REVOKE",
  });
  return { findings, statements, counts, warnings };
}
