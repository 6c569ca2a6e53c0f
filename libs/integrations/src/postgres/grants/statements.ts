import { assertNever } from "@steward/core";
import { qualified, quoteIdent, quoteLiteral } from "../../sql/quote";
import { MANAGED_MARKER } from "./naming";
import type { DriftFinding, GrantTarget, Privilege, ReconcileCounts } from "./types";

// Catalog privilege names become SQL keywords, so only known ones are ever emitted, in a fixed order.
const PRIVILEGE_ORDER = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "TRUNCATE",
  "REFERENCES",
  "TRIGGER",
  "MAINTAIN",
  "USAGE",
  "CREATE",
  "CONNECT",
  "TEMPORARY",
];
const RANK = new Map(PRIVILEGE_ORDER.map((p, i) => [p, i]));

export function sortPrivileges(privileges: Iterable<Privilege>): Privilege[] {
  const list = [...new Set(privileges)];
  for (const p of list) if (!RANK.has(p)) throw new Error(`unexpected privilege from the catalog: ${JSON.stringify(p)}`);
  return list.sort((a, b) => RANK.get(a)! - RANK.get(b)!);
}

/** Objects per GRANT and members per membership GRANT: big enough to batch, small enough to read in a log. */
export const OBJECTS_PER_STATEMENT = 500;
export const MEMBERS_PER_STATEMENT = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function targetSql(kind: GrantTarget["kind"], targets: GrantTarget[]): string {
  const names = targets.map((t) => (t.kind === "relation" ? qualified(t.schema, t.name) : quoteIdent(t.name))).join(", ");
  switch (kind) {
    case "relation":
      return `TABLE ${names}`; // TABLE also covers views, materialized views and foreign tables
    case "schema":
      return `SCHEMA ${names}`;
    case "database":
      return `DATABASE ${names}`;
    default:
      return assertNever(kind, "grant target kind");
  }
}

type PrivilegeBatch = {
  verb: "GRANT" | "REVOKE";
  kind: GrantTarget["kind"];
  role: string;
  privileges: Privilege[];
  targets: GrantTarget[];
};

function privilegeStatements(batches: Iterable<PrivilegeBatch>): string[] {
  const out: string[] = [];
  for (const b of batches) {
    const privs = b.privileges.join(", ");
    for (const part of chunks(b.targets, OBJECTS_PER_STATEMENT)) {
      const on = targetSql(b.kind, part);
      out.push(
        b.verb === "GRANT" ? `GRANT ${privs} ON ${on} TO ${quoteIdent(b.role)}` : `REVOKE ${privs} ON ${on} FROM ${quoteIdent(b.role)}`,
      );
    }
  }
  return out;
}

function membershipStatements(verb: "GRANT" | "REVOKE", byRole: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [role, members] of byRole) {
    for (const part of chunks(members, MEMBERS_PER_STATEMENT)) {
      const list = part.map((m) => quoteIdent(m)).join(", ");
      out.push(verb === "GRANT" ? `GRANT ${quoteIdent(role)} TO ${list}` : `REVOKE ${quoteIdent(role)} FROM ${list}`);
    }
  }
  return out;
}

export const emptyCounts = (): ReconcileCounts => ({
  usersCreated: 0,
  rolesCreated: 0,
  rolesDropped: 0,
  privilegesGranted: 0,
  privilegesRevoked: 0,
  membershipsGranted: 0,
  membershipsRevoked: 0,
  loginsDisabled: 0,
  loginsEnabled: 0,
  unmanagedRevoked: 0,
});

/**
 * Findings → the minimal, batched statements that repair them, in an order that is valid inside one
 * transaction: create roles, revoke, drop, then grant. Revoking memberships of a role being dropped
 * is left to DROP ROLE; its privileges must be revoked first (DROP ROLE refuses otherwise).
 */
export function buildStatements(
  findings: readonly DriftFinding[],
  opts: { userMarker?: string; revokeUnmanaged?: boolean } = {},
): { statements: string[]; counts: ReconcileCounts } {
  const counts = emptyCounts();
  const marker = quoteLiteral(MANAGED_MARKER);
  const loginMarker = quoteLiteral(opts.userMarker ?? MANAGED_MARKER);
  const logins: string[] = [];
  const unmanaged = new Map<string, { grantee: string; privileges: Privilege[]; targets: GrantTarget[] }>();
  const createUsers: string[] = [];
  const createRoles: string[] = [];
  const dropped = new Set<string>();
  const grants = new Map<string, PrivilegeBatch>();
  const revokes = new Map<string, PrivilegeBatch>();
  const addMember = new Map<string, string[]>();
  const removeMember = new Map<string, string[]>();
  const batch = (
    into: Map<string, PrivilegeBatch>,
    verb: PrivilegeBatch["verb"],
    role: string,
    target: GrantTarget,
    privileges: Privilege[],
  ) => {
    const privs = sortPrivileges(privileges);
    const key = JSON.stringify([target.kind, role, privs]);
    const b = into.get(key);
    if (b) b.targets.push(target);
    else into.set(key, { verb, kind: target.kind, role, privileges: privs, targets: [target] });
  };
  const push = (into: Map<string, string[]>, role: string, member: string) => {
    const list = into.get(role);
    if (list) list.push(member);
    else into.set(role, [member]);
  };

  for (const f of findings) if (f.kind === "EXTRA_ROLE") dropped.add(f.role);
  for (const f of findings) {
    switch (f.kind) {
      case "MISSING_USER":
        counts.usersCreated++;
        createUsers.push(`CREATE ROLE ${quoteIdent(f.user)} LOGIN`, `COMMENT ON ROLE ${quoteIdent(f.user)} IS ${loginMarker}`);
        break;
      case "MISSING_ROLE":
        counts.rolesCreated++;
        createRoles.push(`CREATE ROLE ${quoteIdent(f.role)} NOLOGIN`, `COMMENT ON ROLE ${quoteIdent(f.role)} IS ${marker}`);
        break;
      case "EXTRA_ROLE":
        counts.rolesDropped++;
        break;
      case "MISSING_PRIVILEGE":
        counts.privilegesGranted += f.privileges.length;
        batch(grants, "GRANT", f.role, f.target, f.privileges);
        break;
      case "EXTRA_PRIVILEGE":
        counts.privilegesRevoked += f.privileges.length;
        batch(revokes, "REVOKE", f.role, f.target, f.privileges);
        break;
      case "MISSING_MEMBERSHIP":
        counts.membershipsGranted++;
        push(addMember, f.role, f.member);
        break;
      case "EXTRA_MEMBERSHIP":
        if (dropped.has(f.role) || dropped.has(f.member)) break;
        counts.membershipsRevoked++;
        push(removeMember, f.role, f.member);
        break;
      case "STALE_LOGIN":
        counts.loginsDisabled = (counts.loginsDisabled ?? 0) + 1;
        logins.push(`ALTER ROLE ${quoteIdent(f.user)} NOLOGIN`);
        break;
      case "DISABLED_LOGIN":
        counts.loginsEnabled = (counts.loginsEnabled ?? 0) + 1;
        logins.push(`ALTER ROLE ${quoteIdent(f.user)} LOGIN`);
        break;
      case "UNMANAGED_GRANT": {
        if (!opts.revokeUnmanaged) break; // reported only unless the connection asks for revocation
        counts.unmanagedRevoked = (counts.unmanagedRevoked ?? 0) + f.privileges.length;
        const privileges = sortPrivileges(f.privileges);
        // PUBLIC is the keyword, never the quoted name (a role literally called "PUBLIC" may exist).
        const grantee = f.public ? "PUBLIC" : quoteIdent(f.grantee);
        const key = JSON.stringify([grantee, privileges]);
        const target: GrantTarget = { kind: "relation", schema: f.schema, name: f.name };
        const b = unmanaged.get(key);
        if (b) b.targets.push(target);
        else unmanaged.set(key, { grantee, privileges, targets: [target] });
        break;
      }
      case "MISSING_OBJECT":
        break; // reported only: the object is gone
      default:
        assertNever(f, "drift finding");
    }
  }
  const drops = chunks([...dropped], 100).map((part) => `DROP ROLE ${part.map((r) => quoteIdent(r)).join(", ")}`);
  // CASCADE: a hand-made grant WITH GRANT OPTION may have been passed on; those grants are just as
  // unmanaged, and without CASCADE the REVOKE would fail the whole run.
  const revokeUnmanaged = [...unmanaged.values()].flatMap((b) =>
    chunks(b.targets, OBJECTS_PER_STATEMENT).map(
      (part) => `REVOKE ${b.privileges.join(", ")} ON ${targetSql("relation", part)} FROM ${b.grantee} CASCADE`,
    ),
  );
  const statements = [
    ...createUsers,
    ...logins,
    ...createRoles,
    ...revokeUnmanaged,
    ...privilegeStatements(revokes.values()),
    ...membershipStatements("REVOKE", removeMember),
    ...drops,
    ...privilegeStatements(grants.values()),
    ...membershipStatements("GRANT", addMember),
  ];
  return { statements, counts };
}
