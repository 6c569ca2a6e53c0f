import type pg from "pg";
import { qualified } from "../../sql/quote";
import { MANAGED_MARKER, parseManagedRole } from "./naming";

// The delta path's catalog read: only what a change to a few accounts needs. Like catalog.ts, names
// travel as bind parameters and owner entries are excluded.

const ROLES_SQL = `
SELECT r.rolname AS name, COALESCE(d.description = $3, false) AS managed
FROM pg_catalog.pg_roles r
LEFT JOIN pg_catalog.pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::regclass
WHERE starts_with(r.rolname, $1) OR r.rolname IN (SELECT unnest($2::text[]))`;

// pg_auth_members is indexed by member: the scope's memberships cost a few index probes.
const SCOPE_MEMBERSHIPS_SQL = `
SELECT pg_catalog.pg_get_userbyid(am.roleid) AS role, m.rolname AS member
FROM pg_catalog.pg_auth_members am
JOIN pg_catalog.pg_roles m ON m.oid = am.member
WHERE m.rolname IN (SELECT unnest($1::text[]))`;

// Which managed role holds which relation: one ACL walk over the relations that have an ACL at all.
const GROUP_GRANTS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, g.rolname AS role
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
WHERE c.relacl IS NOT NULL AND a.grantee <> c.relowner AND g.rolname IN (SELECT unnest($1::text[]))
GROUP BY n.nspname, c.relname, c.relkind, g.rolname`;

const KINDS_SQL = `
SELECT d.i::int AS i, c.relkind AS kind
FROM unnest($1::text[]) WITH ORDINALITY AS d(q, i)
JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(d.q)`;

// Member counts per role: enough to find the few roles whose member list could equal a changed one.
const MEMBER_COUNTS_SQL = `
SELECT pg_catalog.pg_get_userbyid(am.roleid) AS role, count(*)::int AS n
FROM pg_catalog.pg_auth_members am
WHERE am.roleid IN (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname IN (SELECT unnest($1::text[])))
GROUP BY am.roleid`;

const MEMBERS_SQL = `
SELECT pg_catalog.pg_get_userbyid(am.roleid) AS role, array_agg(pg_catalog.pg_get_userbyid(am.member)::text) AS members
FROM pg_catalog.pg_auth_members am
WHERE am.roleid IN (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname IN (SELECT unnest($1::text[])))
GROUP BY am.roleid`;

export type GroupRole = { name: string; level: "r" | "w" };

export type DeltaRead = {
  /** Every role that exists among the scope accounts and the prefixed roles, with the marker flag. */
  roles: Map<string, { managed: boolean }>;
  /** Managed access-set roles of this scope. */
  groupRoles: Map<string, "r" | "w">;
  /** Current memberships of the scope accounts in managed access-set roles. */
  memberOf: Map<string, Set<string>>;
  /** relation key → managed access-set roles holding privileges on it. */
  rolesOn: Map<string, string[]>;
  /** access-set role → relation keys it holds privileges on. */
  objectsOf: Map<string, Set<string>>;
  /** relation key → relkind, for related objects found in the catalog. */
  kinds: Map<string, string>;
};

export const relKey = (schema: string, name: string) => `${schema}\0${name}`;

/** Reads the state around a few accounts: their memberships and who holds what, never all members. */
export async function readDeltaState(client: pg.ClientBase, prefix: string, accounts: string[]): Promise<DeltaRead> {
  const roleRows = await client.query<{ name: string; managed: boolean }>(ROLES_SQL, [prefix, accounts, MANAGED_MARKER]);
  const roles = new Map(roleRows.rows.map((r) => [r.name, { managed: r.managed }]));
  const groupRoles = new Map<string, "r" | "w">();
  for (const r of roleRows.rows) {
    const parsed = parseManagedRole(prefix, r.name);
    if (r.managed && parsed.kind === "group") groupRoles.set(r.name, parsed.level);
  }
  const names = [...groupRoles.keys()];
  const [memberships, grants] = [
    await client.query<{ role: string; member: string }>(SCOPE_MEMBERSHIPS_SQL, [accounts]),
    await client.query<{ schema: string; name: string; kind: string; role: string }>(GROUP_GRANTS_SQL, [names]),
  ];
  const memberOf = new Map<string, Set<string>>(accounts.map((a) => [a, new Set<string>()]));
  for (const m of memberships.rows) if (groupRoles.has(m.role)) memberOf.get(m.member)?.add(m.role);
  const rolesOn = new Map<string, string[]>();
  const objectsOf = new Map<string, Set<string>>();
  const kinds = new Map<string, string>();
  for (const g of grants.rows) {
    const key = relKey(g.schema, g.name);
    kinds.set(key, g.kind);
    const on = rolesOn.get(key);
    if (on) on.push(g.role);
    else rolesOn.set(key, [g.role]);
    const objs = objectsOf.get(g.role);
    if (objs) objs.add(key);
    else objectsOf.set(g.role, new Set([key]));
  }
  return { roles, groupRoles, memberOf, rolesOn, objectsOf, kinds };
}

/** relkind of objects the ACL walk did not see (no managed grant yet); absent = dropped. */
export async function readKinds(client: pg.ClientBase, objects: { schema: string; name: string }[]): Promise<Map<string, string>> {
  if (objects.length === 0) return new Map();
  const rows = await client.query<{ i: number; kind: string }>(KINDS_SQL, [objects.map((o) => qualified(o.schema, o.name))]);
  return new Map(rows.rows.map((r) => [relKey(objects[r.i - 1]!.schema, objects[r.i - 1]!.name), r.kind]));
}

export async function readMemberCounts(client: pg.ClientBase, roles: string[]): Promise<Map<string, number>> {
  const rows = await client.query<{ role: string; n: number }>(MEMBER_COUNTS_SQL, [roles]);
  return new Map(rows.rows.map((r) => [r.role, r.n]));
}

export async function readMembers(client: pg.ClientBase, roles: string[]): Promise<Map<string, Set<string>>> {
  if (roles.length === 0) return new Map();
  const rows = await client.query<{ role: string; members: string[] }>(MEMBERS_SQL, [roles]);
  return new Map(rows.rows.map((r) => [r.role, new Set(r.members)]));
}
