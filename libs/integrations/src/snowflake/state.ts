/**
 * Reads what the account looks like now, with SHOW (real time; ACCOUNT_USAGE lags by hours):
 * the users, the databases (local or from a share), each governed database's relations from its
 * information_schema, Steward's roles of this connection (prefix + comment), what each access-set
 * role holds (SHOW GRANTS TO ROLE) and who holds it (SHOW GRANTS OF ROLE). Roles of the design
 * before 2026-12 (naming.ts) are listed for dropping; only a legacy per-user role is read further
 * (SHOW GRANTS OF ROLE: its user), so the access-set roles it held keep their members' history.
 */
import { quoteSnowflakeIdent, quoteSnowflakeLiteral } from "../sql/quote";
import type { SfQuery, SfRow } from "./client";
import { MANAGED_COMMENT, parseManagedRole, type SetLevel, showName } from "./naming";
import { objectKind, type PlatformObject } from "./objects";

export type HeldPrivilege = { privilege: string; grantedOn: string; name: string };

export type RoleInfo = { privileges: HeldPrivilege[]; holders: { grantedTo: string; name: string }[] };

export type SfState = {
  users: Set<string>;
  /**
   * Users whose DEFAULT_SECONDARY_ROLES is set to something other than ALL (SHOW USERS): granted
   * roles beyond the primary one are not active in their sessions unless they ask for them.
   */
  noSecondaryRoles: Set<string>;
  /** showName([db, schema, table]) → kind. */
  objects: Map<string, PlatformObject & { parts: string[] }>;
  /** showName([db]) / showName([db, schema]) → parts, for the USAGE grants. */
  containers: Map<string, string[]>;
  setRoles: Map<string, RoleInfo & { level: SetLevel }>;
  /** Steward's roles of the design before 2026-12, all to be dropped: per-user role → its users. */
  legacyUserRoles: Map<string, Set<string>>;
  /** …and its USAGE roles per schema / database. */
  legacyContainerRoles: Set<string>;
  /** Roles with the prefix but without Steward's comment: never touched, reported. */
  foreign: string[];
};

const str = (r: SfRow, k: string) => (r[k] === null || r[k] === undefined ? "" : String(r[k]));

/** SHOW USERS prints DEFAULT_SECONDARY_ROLES as a JSON list (`["ALL"]`, `[]`) or nothing when unset (= ALL since BCR 2024_08). */
function secondaryRolesOff(value: string): boolean {
  const v = value.trim();
  if (v === "" || v.toUpperCase() === "NULL") return false;
  return !/"ALL"/i.test(v);
}

export async function readState(q: SfQuery, prefix: string, databases: readonly string[]): Promise<SfState> {
  const state: SfState = {
    users: new Set(),
    noSecondaryRoles: new Set(),
    objects: new Map(),
    containers: new Map(),
    setRoles: new Map(),
    legacyUserRoles: new Map(),
    legacyContainerRoles: new Set(),
    foreign: [],
  };
  for (const r of await q("SHOW USERS")) {
    state.users.add(str(r, "name"));
    if (secondaryRolesOff(str(r, "default_secondary_roles"))) state.noSecondaryRoles.add(str(r, "name"));
  }
  const imported = new Set<string>();
  for (const r of await q("SHOW DATABASES")) if (str(r, "kind") === "IMPORTED DATABASE") imported.add(str(r, "name"));
  for (const db of databases) {
    state.containers.set(showName([db]), [db]);
    for (const r of await q(
      `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, IS_ICEBERG, IS_DYNAMIC FROM ${quoteSnowflakeIdent(db)}.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'`,
    )) {
      const kind = objectKind(str(r, "TABLE_TYPE"), str(r, "IS_ICEBERG"), str(r, "IS_DYNAMIC"));
      if (!kind) continue;
      const parts = [db, str(r, "TABLE_SCHEMA"), str(r, "TABLE_NAME")];
      state.objects.set(showName(parts), { kind, shared: imported.has(db), parts });
      state.containers.set(showName(parts.slice(0, 2)), parts.slice(0, 2));
    }
  }
  // The LIKE pattern's `_` matches any character; the prefix test below is the exact check.
  for (const r of await q(`SHOW ROLES LIKE ${quoteSnowflakeLiteral(`${prefix}%`)}`)) {
    const name = str(r, "name");
    if (!name.startsWith(prefix)) continue;
    const parsed = parseManagedRole(prefix, name);
    if (str(r, "comment") !== MANAGED_COMMENT || parsed.kind === "unknown") {
      state.foreign.push(name);
      continue;
    }
    if (parsed.kind === "legacy-user") state.legacyUserRoles.set(name, new Set());
    else if (parsed.kind === "legacy-container") state.legacyContainerRoles.add(name);
    else state.setRoles.set(name, { level: parsed.level, privileges: [], holders: [] });
  }
  for (const [role, info] of state.setRoles) {
    for (const r of await q(`SHOW GRANTS TO ROLE ${quoteSnowflakeIdent(role)}`))
      if (str(r, "granted_on") !== "ROLE")
        info.privileges.push({ privilege: str(r, "privilege"), grantedOn: str(r, "granted_on"), name: str(r, "name") });
    for (const r of await q(`SHOW GRANTS OF ROLE ${quoteSnowflakeIdent(role)}`))
      info.holders.push({ grantedTo: str(r, "granted_to"), name: str(r, "grantee_name") });
  }
  for (const [role, users] of state.legacyUserRoles)
    for (const r of await q(`SHOW GRANTS OF ROLE ${quoteSnowflakeIdent(role)}`))
      if (str(r, "granted_to") === "USER") users.add(str(r, "grantee_name"));
  return state;
}

/**
 * The users each access-set role reaches: granted to them directly, or (design before 2026-12)
 * through a legacy per-user role that holds it.
 */
export function membersOfSetRole(state: SfState, role: string): Set<string> {
  const out = new Set<string>();
  for (const h of state.setRoles.get(role)?.holders ?? []) {
    if (h.grantedTo === "USER") out.add(h.name);
    else if (h.grantedTo === "ROLE") for (const u of state.legacyUserRoles.get(h.name) ?? []) out.add(u);
  }
  return out;
}

/** Grants on one governed object to roles that are not Steward's (drift only: one SHOW per object). */
export async function readObjectGrants(q: SfQuery, kind: string, parts: readonly string[]): Promise<{ privilege: string; role: string }[]> {
  const rows = await q(`SHOW GRANTS ON ${kind} ${parts.map(quoteSnowflakeIdent).join(".")}`);
  return rows.filter((r) => str(r, "granted_to") === "ROLE").map((r) => ({ privilege: str(r, "privilege"), role: str(r, "grantee_name") }));
}

export async function readUsersOfRole(q: SfQuery, role: string): Promise<string[]> {
  return (await q(`SHOW GRANTS OF ROLE ${quoteSnowflakeIdent(role)}`))
    .filter((r) => str(r, "granted_to") === "USER")
    .map((r) => str(r, "grantee_name"));
}
