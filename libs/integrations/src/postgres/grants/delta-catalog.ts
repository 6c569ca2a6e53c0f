import type pg from "pg";
import { qualified } from "../../sql/quote";
import { MANAGED_MARKER, parseManagedRole } from "./naming";

// The delta path's catalog read: only what a change to a few accounts needs. Like catalog.ts, names
// travel as bind parameters and owner entries are excluded.

// Oids come back too: every later query filters by oid, so none scans the pg_roles view again.
// The prefix is a range on rolname ($4 is the prefix with its last byte incremented) and the
// accounts are exact names, each half able to use pg_authid's name index: starts_with() or an OR
// would scan all 10,000 roles on every delta.
const ROLES_SQL = `
SELECT r.oid::int8::text AS oid, r.rolname AS name, COALESCE(d.description = $3, false) AS managed
FROM (
  SELECT oid, rolname FROM pg_catalog.pg_roles WHERE rolname >= $1::name AND rolname < $4::name
  UNION
  SELECT oid, rolname FROM pg_catalog.pg_roles WHERE rolname IN (SELECT unnest($2::text[])::name)
) r
LEFT JOIN pg_catalog.pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::regclass
WHERE starts_with(r.rolname, $1) OR r.rolname IN (SELECT unnest($2::text[]))`;

/** The smallest string above every string that starts with `prefix` (prefixes are ASCII here). */
const prefixEnd = (prefix: string) => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

// pg_auth_members is indexed by member: the scope's memberships cost a few index probes.
const SCOPE_MEMBERSHIPS_SQL = `
SELECT am.roleid::int8::text AS role, am.member::int8::text AS member
FROM pg_catalog.pg_auth_members am
WHERE am.member = ANY($1::oid[])`;

// Which managed role holds which relation: one ACL walk over the relations that have an ACL at all.
const GROUP_GRANTS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, a.grantee::int8::text AS role
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
WHERE c.relacl IS NOT NULL AND a.grantee <> c.relowner AND a.grantee = ANY($1::oid[])
GROUP BY n.nspname, c.relname, c.relkind, a.grantee`;

const KINDS_SQL = `
SELECT d.i::int AS i, c.relkind AS kind
FROM unnest($1::text[]) WITH ORDINALITY AS d(q, i)
JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(d.q)`;

// Member counts per role: enough to find the few roles whose member list could equal a changed one.
const MEMBER_COUNTS_SQL = `
SELECT am.roleid::int8::text AS role, count(*)::int AS n
FROM pg_catalog.pg_auth_members am
WHERE am.roleid = ANY($1::oid[])
GROUP BY am.roleid`;

// One member of each role outside the given accounts (index probes, not a scan of the role).
const WITNESS_SQL = `
SELECT r.role::int8::text AS role, w.member::int8::text AS member
FROM unnest($1::oid[]) AS r(role)
CROSS JOIN LATERAL (
  SELECT am.member FROM pg_catalog.pg_auth_members am WHERE am.roleid = r.role AND am.member <> ALL($2::oid[]) LIMIT 1
) w`;

const ROLES_OF_SQL = `
SELECT am.member::int8::text AS member, am.roleid::int8::text AS role
FROM pg_catalog.pg_auth_members am
WHERE am.member = ANY($1::oid[])`;

const MEMBERS_SQL = `
SELECT pg_catalog.pg_get_userbyid(am.roleid) AS role, array_agg(pg_catalog.pg_get_userbyid(am.member)::text) AS members
FROM pg_catalog.pg_auth_members am
WHERE am.roleid = ANY($1::oid[])
GROUP BY am.roleid`;

export type GroupRole = { name: string; level: "r" | "w" };

export type DeltaRead = {
  /** role name → oid (as text), for every role read. */
  oids: Map<string, string>;
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
  const roleRows = await client.query<{ oid: string; name: string; managed: boolean }>(ROLES_SQL, [
    prefix,
    accounts,
    MANAGED_MARKER,
    prefixEnd(prefix),
  ]);
  const roles = new Map(roleRows.rows.map((r) => [r.name, { managed: r.managed }]));
  const oids = new Map(roleRows.rows.map((r) => [r.name, r.oid]));
  const nameOf = new Map(roleRows.rows.map((r) => [r.oid, r.name]));
  const groupRoles = new Map<string, "r" | "w">();
  for (const r of roleRows.rows) {
    const parsed = parseManagedRole(prefix, r.name);
    if (r.managed && parsed.kind === "group") groupRoles.set(r.name, parsed.level);
  }
  const groupOids = [...groupRoles.keys()].map((n) => oids.get(n)!);
  const accountOids = accounts.map((a) => oids.get(a)).filter((o) => o !== undefined);
  const [memberships, grants] = [
    await client.query<{ role: string; member: string }>(SCOPE_MEMBERSHIPS_SQL, [accountOids]),
    await client.query<{ schema: string; name: string; kind: string; role: string }>(GROUP_GRANTS_SQL, [groupOids]),
  ];
  const memberOf = new Map<string, Set<string>>(accounts.map((a) => [a, new Set<string>()]));
  for (const m of memberships.rows) {
    const role = nameOf.get(m.role);
    const member = nameOf.get(m.member);
    if (role !== undefined && member !== undefined && groupRoles.has(role)) memberOf.get(member)?.add(role);
  }
  const rolesOn = new Map<string, string[]>();
  const objectsOf = new Map<string, Set<string>>();
  const kinds = new Map<string, string>();
  for (const g of grants.rows) {
    const role = nameOf.get(g.role)!;
    const key = relKey(g.schema, g.name);
    kinds.set(key, g.kind);
    const on = rolesOn.get(key);
    if (on) on.push(role);
    else rolesOn.set(key, [role]);
    const objs = objectsOf.get(role);
    if (objs) objs.add(key);
    else objectsOf.set(role, new Set([key]));
  }
  return { oids, roles, groupRoles, memberOf, rolesOn, objectsOf, kinds };
}

/** relkind of objects the ACL walk did not see (no managed grant yet); absent = dropped. */
export async function readKinds(client: pg.ClientBase, objects: { schema: string; name: string }[]): Promise<Map<string, string>> {
  if (objects.length === 0) return new Map();
  const rows = await client.query<{ i: number; kind: string }>(KINDS_SQL, [objects.map((o) => qualified(o.schema, o.name))]);
  return new Map(rows.rows.map((r) => [relKey(objects[r.i - 1]!.schema, objects[r.i - 1]!.name), r.kind]));
}

export async function readMemberCounts(client: pg.ClientBase, read: DeltaRead, roles: string[]): Promise<Map<string, number>> {
  const rows = await client.query<{ role: string; n: number }>(MEMBER_COUNTS_SQL, [roles.map((r) => read.oids.get(r)!)]);
  const nameOf = new Map([...read.oids].map(([name, oid]) => [oid, name]));
  return new Map(rows.rows.map((r) => [nameOf.get(r.role)!, r.n]));
}

export async function readMembers(client: pg.ClientBase, read: DeltaRead, roles: string[]): Promise<Map<string, Set<string>>> {
  if (roles.length === 0) return new Map();
  const rows = await client.query<{ role: string; members: string[] }>(MEMBERS_SQL, [roles.map((r) => read.oids.get(r)!)]);
  return new Map(rows.rows.map((r) => [r.role, new Set(r.members)]));
}

/** For each role, one member that is not among `exclude` (absent when there is none), by oid. */
export async function readWitnesses(
  client: pg.ClientBase,
  read: DeltaRead,
  roles: string[],
  exclude: string[],
): Promise<Map<string, string>> {
  if (roles.length === 0) return new Map();
  const nameOf = new Map([...read.oids].map(([name, oid]) => [oid, name]));
  const rows = await client.query<{ role: string; member: string }>(WITNESS_SQL, [
    roles.map((r) => read.oids.get(r)!),
    exclude.map((a) => read.oids.get(a)).filter((o) => o !== undefined),
  ]);
  return new Map(rows.rows.map((r) => [nameOf.get(r.role)!, r.member]));
}

/** member oid → names of the roles read by `readDeltaState` that it belongs to. */
export async function readRolesOf(client: pg.ClientBase, read: DeltaRead, memberOids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (memberOids.length === 0) return out;
  const nameOf = new Map([...read.oids].map(([name, oid]) => [oid, name]));
  const rows = await client.query<{ member: string; role: string }>(ROLES_OF_SQL, [memberOids]);
  for (const r of rows.rows) {
    const role = nameOf.get(r.role);
    if (role === undefined) continue;
    const set = out.get(r.member) ?? out.set(r.member, new Set()).get(r.member)!;
    set.add(role);
  }
  return out;
}
